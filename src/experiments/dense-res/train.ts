/** The training loop shared by the single run and the learning curve. */
import { MinibatchLoader, type ImageDataset } from '../../data';
import type { Generator } from '../../random';
import { ProgressBar } from '../../report/progress';
import type { DenseResModel } from './weights';

export interface Scores { loss: number; accuracy: number }

/** Mean loss and accuracy over rows [0, n) of a data set (or the given indices), in chunks. */
export function evaluate(model: DenseResModel, ds: Pick<ImageDataset, 'images' | 'labels' | 'n'>, chunk: number,
                         indices?: Int32Array): Scores {
  const features = ds.images.length / ds.n;
  let loss = 0;
  let correct = 0;
  const n = indices ? indices.length : ds.n;
  if (!indices) {
    for (let start = 0; start < n; start += chunk) {
      const B = Math.min(chunk, n - start);
      const r = model.evaluate(ds.images.subarray(start * features), ds.labels.subarray(start), B);
      loss += r.loss * B;
      correct += r.correct;
    }
  } else {
    const loader = new MinibatchLoader({ dataset: ds, batchSize: chunk, shuffle: false, indices });
    for (const b of loader) {
      const r = model.evaluate(b.x, b.y, b.size);
      loss += r.loss * b.size;
      correct += r.correct;
    }
  }
  return { loss: loss / n, accuracy: correct / n };
}

export interface EpochResult {
  /** Running means over the epoch's minibatches (the weights change during the epoch). */
  train: Scores;
  seconds: number;
}

/** One epoch of minibatch SGD over the loader. */
export function trainEpoch(model: DenseResModel, loader: MinibatchLoader, lr: number, progress?: ProgressBar): EpochResult {
  let loss = 0;
  let correct = 0;
  let seen = 0;
  const start = process.hrtime.bigint();
  for (const b of loader) {
    const r = model.trainStep(b.x, b.y, b.size, lr);
    loss += r.loss * b.size;
    correct += r.correct;
    seen += b.size;
    progress?.tick(1, { loss: loss / seen });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { train: { loss: loss / seen, accuracy: correct / seen }, seconds };
}

export interface EarlyStoppingOptions {
  maxEpochs: number;
  patience: number;
  lr: number;
  batchSize: number;
  generator: Generator;
}

export interface EarlyStoppingResult {
  bestEpoch: number;
  epochs: number;
  train: Scores;
  validation: Scores;
  test: Scores;
}

/**
 * Trains until the validation accuracy has not improved for `patience`
 * epochs (or maxEpochs), keeping the best epoch's scores: the test set is
 * scored whenever validation improves, so the reported test accuracy is the
 * best model's.
 */
export function trainWithEarlyStopping(model: DenseResModel, data: ImageDataset, trainIdx: Int32Array, valIdx: Int32Array,
                                      test: ImageDataset, options: EarlyStoppingOptions): EarlyStoppingResult {
  const loader = new MinibatchLoader({ dataset: data, batchSize: options.batchSize, generator: options.generator, indices: trainIdx });
  let best: EarlyStoppingResult | null = null;
  let epoch = 0;
  while (epoch < options.maxEpochs) {
    epoch++;
    const { train } = trainEpoch(model, loader, options.lr);
    const validation = evaluate(model, data, 1000, valIdx);
    if (!best || validation.accuracy > best.validation.accuracy) {
      best = { bestEpoch: epoch, epochs: epoch, train, validation, test: evaluate(model, test, 1000) };
    } else if (epoch - best.bestEpoch >= options.patience) {
      break;
    }
  }
  return { ...best!, epochs: epoch };
}
