/** Training and scoring of the init-study networks: minibatch SGD on the mean cross-entropy. */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import type { ImageDataset, MinibatchLoader } from '../../data';
import { crossEntropy } from '../../nn/functional';
import type { SGD } from '../../optim/sgd';
import type { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor/tensor';
import type { InitStudyNet } from './model';

export interface Scores {
  loss: number;
  accuracy: number;
  /** How many samples were predicted as each class. */
  predictedCounts: number[];
}

/** Mean cross-entropy, accuracy and predicted-class counts over a data set, in chunks, without recording. */
export function evaluate(model: InitStudyNet, ds: Pick<ImageDataset, 'images' | 'labels' | 'n'>, be: Backend, chunk = 1000): Scores {
  const features = ds.images.length / ds.n;
  let loss = 0;
  let correct = 0;
  const predictedCounts = new Array<number>(model.output.outFeatures).fill(0);
  noGrad(() => {
    for (let start = 0; start < ds.n; start += chunk) {
      const B = Math.min(chunk, ds.n - start);
      const x = new Tensor(ds.images.subarray(start * features, (start + B) * features), [B, features], be);
      const y = ds.labels.subarray(start, start + B);
      const logits = model.forward(x);
      loss += crossEntropy(logits, y).item() * B;
      const predicted = logits.argmax(1);
      for (let i = 0; i < B; i++) {
        predictedCounts[predicted[i]]++;
        if (predicted[i] === y[i]) correct++;
      }
    }
  });
  return { loss: loss / ds.n, accuracy: correct / ds.n, predictedCounts };
}

/** One epoch of SGD over the loader's shuffled minibatches; returns the mean minibatch loss (before each update). */
export function trainEpoch(model: InitStudyNet, optimizer: SGD, loader: MinibatchLoader, be: Backend, progress?: ProgressBar): number {
  let loss = 0;
  let seen = 0;
  for (const b of loader) {
    optimizer.zeroGrad();
    const l = crossEntropy(model.forward(new Tensor(b.x, [b.size, loader.features], be)), b.y);
    l.backward();
    optimizer.step();
    const value = l.item();
    loss += value * b.size;
    seen += b.size;
    progress?.tick(1, { loss: loss / seen });
  }
  return loss / seen;
}
