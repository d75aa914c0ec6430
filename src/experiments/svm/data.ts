/**
 * The SVM experiment's data, as the seed's recipe: MNIST training images
 * scaled to [0, 1] (or raw 0..255), `perClass` random images of every digit,
 * resized 28×28 → size×size by OpenCV's bilinear rule, split class by class
 * into train and validation (`validation` share), all from one seed.
 */
import { classBalancedSubsample, gatherRows, loadMnist, stratifiedSplit } from '../../data';
import type { Backend } from '../../backend/backend';
import { resize } from '../../ml/resize';
import { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';

export interface SvmDataOptions {
  seed: number;
  perClass: number;
  size: number;
  validation: number;
  rawPixels?: boolean;
  dataDir?: string;
  backend: Backend;
}

export interface SvmData {
  Xtrain: Tensor;
  ytrain: Int32Array;
  Xval: Tensor;
  yval: Int32Array;
  /** The resized images of the train split, [n, size, size] (for pictures and Gabor features). */
  trainImages: Tensor;
  valImages: Tensor;
}

export function prepareSvmData(o: SvmDataOptions): SvmData {
  const ds = loadMnist({ split: 'train', dataDir: o.dataDir });
  const gen = new Generator(o.seed);
  const chosen = classBalancedSubsample(ds.labels, o.perClass, gen);
  const pixels = gatherRows(ds.images, 784, chosen);
  if (o.rawPixels) for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(pixels[i] * 255);
  const labels = Int32Array.from(chosen, (i) => ds.labels[i]);
  const small = resize(new Tensor(pixels, [chosen.length, 28, 28], o.backend), o.size, o.size).toTypedArray() as Float32Array;
  const { train, validation } = stratifiedSplit(labels, o.validation, gen);
  const features = o.size * o.size;
  const part = (index: Int32Array) => new Tensor(gatherRows(small, features, index), [index.length, features], o.backend);
  const Xtrain = part(train);
  const Xval = part(validation);
  return {
    Xtrain, ytrain: Int32Array.from(train, (i) => labels[i]), Xval, yval: Int32Array.from(validation, (i) => labels[i]),
    trainImages: Xtrain.reshape(train.length, o.size, o.size), valImages: Xval.reshape(validation.length, o.size, o.size),
  };
}
