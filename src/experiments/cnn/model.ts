/**
 * The `cnn` experiment's network (PyTorch's classic small CNN, sized by the
 * data set): conv(C→32, 3×3, pad 1)-ReLU-maxpool 2, conv(32→64, 3×3, pad 1)-
 * ReLU-maxpool 2, flatten, FC→128-ReLU, FC→classes. ReLUs are fused into the
 * convolution and linear kernels.
 */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import type { ImageDataset } from '../../data';
import { Conv2d, Flatten, Linear, MaxPool2d, Sequential } from '../../nn';
import * as F from '../../nn/functional';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor';

export function makeCnn(shape: readonly number[], classes: number, gen: Generator, backend: Backend): Sequential {
  const [channels, height, width] = shape;
  const o = { generator: gen, backend };
  const flat = 64 * Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2);
  return new Sequential(
    new Conv2d(channels, 32, 3, { padding: 1, activation: 'relu', ...o }), new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1, activation: 'relu', ...o }), new MaxPool2d(2),
    new Flatten(),
    new Linear(flat, 128, { activation: 'relu', ...o }),
    new Linear(128, classes, o),
  );
}

/** Rows [start, start + count) of a data set as an N×C×H×W tensor sharing its memory. */
export function imagesTensor(ds: ImageDataset, start: number, count: number, backend: Backend): Tensor {
  const f = ds.images.length / ds.n;
  return new Tensor(ds.images.subarray(start * f, (start + count) * f), [count, ...ds.shape], backend);
}

export interface TestScores { loss: number; accuracy: number; predictions: Int32Array }

/** Mean cross-entropy, accuracy and the predicted class of every image, in chunks of `chunk` images. */
export function evaluateCnn(model: Sequential, ds: ImageDataset, chunk: number, backend: Backend): TestScores {
  const predictions = new Int32Array(ds.n);
  let loss = 0, correct = 0;
  noGrad(() => {
    for (let start = 0; start < ds.n; start += chunk) {
      const count = Math.min(chunk, ds.n - start);
      const logits = model.forward(imagesTensor(ds, start, count, backend));
      const labels = ds.labels.subarray(start, start + count);
      loss += F.crossEntropy(logits, labels).item() * count;
      const predicted = logits.argmax(1);
      for (let i = 0; i < count; i++) {
        predictions[start + i] = predicted[i];
        if (predicted[i] === labels[i]) correct++;
      }
    }
  });
  return { loss: loss / ds.n, accuracy: correct / ds.n, predictions };
}
