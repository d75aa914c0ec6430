/**
 * Training and evaluation of one `equivariant-ae` model: Adam on minibatches
 * of upright training digits; test scores on upright digits and on each
 * rotation by 90°·k; the numerical equivariance (or invariance) error.
 */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { MinibatchLoader, type ImageDataset } from '../../data';
import { crossEntropy, mseLoss } from '../../nn/functional';
import { rotateImages } from '../../nn/equivariant';
import { Adam } from '../../optim/adam';
import type { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor/tensor';
import type { BuiltModel } from './models';

export const PIXELS = 784;
export const SIDE = 28;

/** Reconstruction: mean squared error per pixel; classification: mean cross-entropy. */
function lossOf(model: BuiltModel, x: Tensor, labels: Int32Array): { loss: Tensor; out: Tensor } {
  const out = model.module.forward(x);
  return { out, loss: model.task === 'reconstruction' ? mseLoss(out, x) : crossEntropy(out, labels) };
}

export interface Scores {
  loss: number;
  /** Classifiers only. */
  accuracy?: number;
}

/** One epoch of Adam over the loader; returns the running mean loss and the epoch's seconds. */
export function trainEpoch(model: BuiltModel, loader: MinibatchLoader, optimizer: Adam, be: Backend,
                           bar: ProgressBar): { loss: number; seconds: number } {
  const start = process.hrtime.bigint();
  let total = 0;
  let n = 0;
  model.module.train();
  for (const b of loader) {
    const x = new Tensor(b.x.subarray(0, b.size * PIXELS), [b.size, PIXELS], be);
    const { loss } = lossOf(model, x, b.y.subarray(0, b.size));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item() * b.size;
    n += b.size;
    bar.tick(1, { model: model.name, loss: total / n });
  }
  return { loss: total / n, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Mean loss (and accuracy) over n images, in chunks, without recording gradients. */
export function evaluate(model: BuiltModel, images: Float32Array, labels: Int32Array, n: number, be: Backend,
                         chunk = 1000): Scores {
  model.module.eval();
  let loss = 0;
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const B = Math.min(chunk, n - start);
      const x = new Tensor(images.subarray(start * PIXELS, (start + B) * PIXELS), [B, PIXELS], be);
      const y = labels.subarray(start, start + B);
      const r = lossOf(model, x, y);
      loss += r.loss.item() * B;
      if (model.task === 'classification') {
        const predicted = r.out.argmax(1);
        for (let i = 0; i < B; i++) if (predicted[i] === y[i]) correct++;
      }
    }
  });
  return model.task === 'classification' ? { loss: loss / n, accuracy: correct / n } : { loss: loss / n };
}

/** The test set rotated by 90°·k for k = 0..3 (k = 0 is the set itself). */
export function rotatedTestSets(test: ImageDataset): Float32Array[] {
  const images = test.images.subarray(0, test.n * PIXELS);
  return [0, 1, 2, 3].map((k) => (k === 0 ? images : rotateImages(images, SIDE, k)));
}

/**
 * max |f(ρ(g) x) − ρ(g) f(x)| over the rotations g and a batch x for an
 * autoencoder (equivariance), max |f(ρ(g) x) − f(x)| for a classifier's
 * logits (invariance).
 */
export function symmetryError(model: BuiltModel, rotated: readonly Float32Array[], count: number, be: Backend): number {
  model.module.eval();
  return noGrad(() => {
    const run = (k: number) => model.module.forward(new Tensor(rotated[k].subarray(0, count * PIXELS), [count, PIXELS], be)).toTypedArray();
    const base = run(0);
    const outSide = model.task === 'reconstruction' ? SIDE : 0;
    let worst = 0;
    for (let k = 1; k < 4; k++) {
      const expected = outSide ? rotateImages(base, outSide, k) : base;
      const got = run(k);
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    }
    return worst;
  });
}
