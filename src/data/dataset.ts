/**
 * In-memory image data sets and the tools that slice them: row gathering,
 * class-balanced subsampling, stratified splits, shuffled minibatches.
 * Every random choice takes an explicit seeded Generator.
 */
import { backend as backendByName, getBackend } from '../backend';
import type { Backend, BackendName, DType } from '../backend';
import { defaultGenerator, type Generator } from '../random';
import { allocate, Tensor } from '../tensor';
import { DataError } from './errors';

/** A labelled image data set held as one flat array of pixels. */
export interface ImageDataset {
  /** n × prod(shape) values, sample-major (each sample's pixels contiguous, CHW). */
  images: Float32Array;
  /** n class indices in 0..classes-1. */
  labels: Int32Array;
  /** Number of samples. */
  n: number;
  /** Per-sample shape, e.g. [1, 28, 28] or [3, 32, 32]. */
  shape: number[];
  /** Number of classes. */
  classes: number;
  /** Data set name, e.g. 'mnist', 'fashion-mnist', 'cifar10'. */
  name: string;
  /** Human-readable class names, where the data set defines them. */
  classNames?: readonly string[];
}

/** The features of one sample (prod(ds.shape)). */
export function featureCount(ds: Pick<ImageDataset, 'shape'>): number {
  let f = 1;
  for (const d of ds.shape) f *= d;
  return f;
}

function checkPositiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`Expected positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

function checkNonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Expected non-negative integer for ${name} but received ${String(value)}`);
  }
  return value;
}

function checkGenerator(gen: unknown, name = 'generator'): Generator {
  if (typeof gen !== 'object' || gen === null || typeof (gen as Generator).int !== 'function') {
    throw new TypeError(`Expected a Generator for ${name} but received ${gen === null ? 'null' : typeof gen}`);
  }
  return gen as Generator;
}

/**
 * Copies rows `indices[i]` of `src` (rows of `rowSize` values) into
 * consecutive rows of `out`, which is allocated when not given and must
 * otherwise hold exactly indices.length × rowSize values. Returns `out`.
 * Allocation-free when `out` is passed: the minibatch hot path.
 */
export function gatherRows<T extends Float32Array | Float64Array = Float32Array>(
  src: T, rowSize: number, indices: ArrayLike<number>, out?: T,
): T {
  checkPositiveInteger(rowSize, 'rowSize');
  if (src.length % rowSize !== 0) {
    throw new RangeError(`gatherRows: source length ${src.length} is not a multiple of rowSize ${rowSize}`);
  }
  const rows = src.length / rowSize;
  const n = indices.length;
  const target = out ?? (new (src.constructor as { new(n: number): T })(n * rowSize));
  if (target.length !== n * rowSize) {
    throw new RangeError(`gatherRows: out holds ${target.length} values but ${n} rows of ${rowSize} need ${n * rowSize}`);
  }
  for (let i = 0; i < n; i++) {
    const r = indices[i];
    if (!(r >= 0 && r < rows) || r !== Math.floor(r)) {
      throw new RangeError(`gatherRows: index ${r} at position ${i} is out of range for ${rows} rows`);
    }
    const s = r * rowSize;
    const o = i * rowSize;
    if (rowSize >= 64) {
      target.set(src.subarray(s, s + rowSize), o);
    } else {
      for (let j = 0; j < rowSize; j++) target[o + j] = src[s + j];
    }
  }
  return target;
}

/** A new data set holding copies of the samples at `indices`, in that order. */
export function subset(ds: ImageDataset, indices: Int32Array | ArrayLike<number>): ImageDataset {
  const features = featureCount(ds);
  const images = gatherRows(ds.images, features, indices);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = ds.labels[indices[i]];
  return { ...ds, images, labels, n: indices.length, shape: [...ds.shape] };
}

/** The sample indices of each class (classes = max label + 1 unless given). */
function indicesByClass(labels: ArrayLike<number>, classes?: number): number[][] {
  let c = classes ?? 0;
  if (classes === undefined) {
    for (let i = 0; i < labels.length; i++) c = Math.max(c, labels[i] + 1);
  }
  const groups: number[][] = Array.from({ length: c }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new DataError(`Label ${y} at index ${i} is outside the classes 0..${c - 1}`);
    }
    groups[y].push(i);
  }
  return groups;
}

/**
 * Exactly `perClass` samples of every class 0..classes-1 (classes defaults to
 * max label + 1), drawn without replacement with `gen`. Returns the chosen
 * indices in ascending order. Throws DataError when a class has fewer
 * samples than asked for.
 */
export function classBalancedSubsample(
  labels: ArrayLike<number>, perClass: number, gen: Generator, classes?: number,
): Int32Array {
  checkNonNegativeInteger(perClass, 'perClass');
  checkGenerator(gen);
  if (classes !== undefined) checkPositiveInteger(classes, 'classes');
  const groups = indicesByClass(labels, classes);
  const out = new Int32Array(perClass * groups.length);
  let k = 0;
  groups.forEach((members, c) => {
    if (members.length < perClass) {
      throw new DataError(`Class ${c} has only ${members.length} samples but ${perClass} per class were requested`);
    }
    // Partial Fisher–Yates: the first perClass entries become a uniform sample.
    for (let i = 0; i < perClass; i++) {
      const j = i + gen.int(members.length - i);
      const tmp = members[i];
      members[i] = members[j];
      members[j] = tmp;
      out[k++] = members[i];
    }
  });
  return out.sort();
}

/**
 * Splits sample indices into train and validation parts class by class:
 * class c with n_c samples puts Math.round(n_c × fraction) of them (halves
 * round up) into validation, chosen at random with `gen`, and the rest into
 * train. `fraction` is the validation share in [0, 1] (0.2 for an 80/20
 * split). Both parts are returned in ascending order; together they cover
 * every index exactly once.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>, fraction: number, gen: Generator,
): { train: Int32Array; validation: Int32Array } {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`Expected a validation fraction in [0, 1] but received ${String(fraction)}`);
  }
  checkGenerator(gen);
  const groups = indicesByClass(labels);
  const train: number[] = [];
  const validation: number[] = [];
  for (const members of groups) {
    gen.shuffle(members);
    const nVal = Math.round(members.length * fraction);
    for (let i = 0; i < members.length; i++) (i < nVal ? validation : train).push(members[i]);
  }
  return { train: Int32Array.from(train).sort(), validation: Int32Array.from(validation).sort() };
}

/**
 * A seeded random train/test split of n samples (scikit-learn's
 * train_test_split rule): ceil(n × testFraction) samples go to test, the rest
 * to train; both parts in the order the permutation drew them.
 */
export function randomSplit(n: number, testFraction: number, gen: Generator): { train: Int32Array; test: Int32Array } {
  checkPositiveInteger(n, 'n');
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`Expected a test fraction in (0, 1) but received ${String(testFraction)}`);
  }
  checkGenerator(gen);
  const nTest = Math.ceil(n * testFraction);
  if (nTest >= n) throw new RangeError(`A test fraction of ${testFraction} leaves no training samples out of ${n}`);
  const order = gen.permutation(n);
  return { train: order.slice(nTest), test: order.slice(0, nTest) };
}

/** `batchSize` indices drawn uniformly from 0..n-1 with replacement (reusing `out` when given). */
export function sampleBatch(gen: Generator, n: number, batchSize: number, out?: Int32Array): Int32Array {
  checkGenerator(gen);
  checkPositiveInteger(n, 'n');
  checkNonNegativeInteger(batchSize, 'batchSize');
  const target = out ?? new Int32Array(batchSize);
  if (target.length !== batchSize) {
    throw new RangeError(`sampleBatch: out holds ${target.length} indices but batchSize is ${batchSize}`);
  }
  for (let i = 0; i < batchSize; i++) target[i] = gen.int(n);
  return target;
}

export interface ToTensorOptions {
  dtype?: DType;
  backend?: BackendName | Backend;
}

/**
 * The data set (or the rows at `indices`) as a Tensor [n, features] plus
 * labels, for full-batch work. Without indices and with float32 the tensor
 * shares ds.images (no copy, like torch.from_numpy); otherwise the values
 * are copied.
 */
export function toTensor(
  ds: ImageDataset, indices?: ArrayLike<number>, options: ToTensorOptions = {},
): { x: Tensor; y: Int32Array } {
  const features = featureCount(ds);
  const dtype = options.dtype ?? 'float32';
  let x: Float32Array | Float64Array;
  let y: Int32Array;
  let n: number;
  if (indices === undefined) {
    n = ds.n;
    x = ds.images;
    y = ds.labels.slice();
  } else {
    n = indices.length;
    x = gatherRows(ds.images, features, indices);
    y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = ds.labels[indices[i]];
  }
  if (dtype === 'float64') {
    const wide = allocate('float64', x.length);
    wide.set(x);
    x = wide;
  } else if (dtype !== 'float32') {
    throw new TypeError(`Expected dtype 'float32' or 'float64' but received ${String(dtype)}`);
  }
  const b = options.backend === undefined ? getBackend()
    : typeof options.backend === 'string' ? backendByName(options.backend) : options.backend;
  return { x: new Tensor(x, [n, features], b), y };
}

export interface MinibatchLoaderOptions {
  /** The samples (any object with images, labels and n; features = images.length / n). */
  dataset: Pick<ImageDataset, 'images' | 'labels' | 'n'>;
  batchSize: number;
  /** A fresh random order every epoch (default true); false keeps index order. */
  shuffle?: boolean;
  /** Source of the per-epoch permutations (default: the global generator). */
  generator?: Generator;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Iterate over only these sample indices (e.g. a split's train part), without copying the data. */
  indices?: ArrayLike<number>;
}

/** One minibatch. `x`, `y` and `indices` are reused buffers: valid until the next batch. */
export interface Minibatch {
  /** size × features values. */
  x: Float32Array;
  /** size labels. */
  y: Int32Array;
  /** Number of samples in this batch (batchSize, or fewer for the last one). */
  size: number;
  /** The data set indices of this batch's samples. */
  indices: Int32Array;
}

/**
 * Shuffled minibatches over a data set. Each iteration (`for (const b of
 * loader)`) is one epoch in a fresh permutation drawn from the generator,
 * so the same seed gives the same sequence of epochs. The batch buffers are
 * allocated once and reused.
 */
export class MinibatchLoader implements Iterable<Minibatch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly features: number;
  /** Number of samples iterated per epoch. */
  readonly size: number;
  /** Epochs started so far. */
  epoch = 0;
  private readonly images: Float32Array;
  private readonly labels: Int32Array;
  private readonly generator: Generator;
  private readonly base: Int32Array;
  private readonly order: Int32Array;
  private readonly xBuffer: Float32Array;
  private readonly yBuffer: Int32Array;
  private tail: { x: Float32Array; y: Int32Array } | null = null;

  constructor(options: MinibatchLoaderOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('MinibatchLoader needs an options object { dataset, batchSize, shuffle, generator, dropLast }');
    }
    const { dataset } = options;
    if (typeof dataset !== 'object' || dataset === null
      || !(dataset.images instanceof Float32Array) || !(dataset.labels instanceof Int32Array)) {
      throw new TypeError('Expected dataset with images (Float32Array), labels (Int32Array) and n');
    }
    this.batchSize = checkPositiveInteger(options.batchSize, 'batchSize');
    const n = checkNonNegativeInteger(dataset.n, 'dataset.n');
    if (dataset.labels.length !== n) {
      throw new RangeError(`Dataset has n = ${n} but ${dataset.labels.length} labels`);
    }
    if (n === 0 ? dataset.images.length !== 0 : dataset.images.length % n !== 0) {
      throw new RangeError(`Dataset images hold ${dataset.images.length} values, not a multiple of n = ${n}`);
    }
    this.features = n === 0 ? 0 : dataset.images.length / n;
    this.shuffle = options.shuffle ?? true;
    if (typeof this.shuffle !== 'boolean') throw new TypeError(`Expected boolean for shuffle but received ${typeof this.shuffle}`);
    this.dropLast = options.dropLast ?? false;
    if (typeof this.dropLast !== 'boolean') throw new TypeError(`Expected boolean for dropLast but received ${typeof this.dropLast}`);
    this.generator = checkGenerator(options.generator ?? defaultGenerator);
    this.images = dataset.images;
    this.labels = dataset.labels;
    if (options.indices !== undefined) {
      const idx = options.indices;
      this.base = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i];
        if (!Number.isInteger(r) || r < 0 || r >= n) {
          throw new RangeError(`MinibatchLoader: index ${r} at position ${i} is out of range for ${n} samples`);
        }
        this.base[i] = r;
      }
    } else {
      this.base = new Int32Array(n);
      for (let i = 0; i < n; i++) this.base[i] = i;
    }
    this.size = this.base.length;
    this.order = new Int32Array(this.size);
    this.xBuffer = new Float32Array(this.batchSize * this.features);
    this.yBuffer = new Int32Array(this.batchSize);
  }

  /** Batches per epoch: ceil(size / batchSize), or floor with dropLast. */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** One epoch of minibatches in a new order. */
  *[Symbol.iterator](): IterableIterator<Minibatch> {
    this.epoch++;
    const order = this.order;
    order.set(this.base);
    if (this.shuffle) this.generator.shuffle(order);
    const batches = this.batchesPerEpoch;
    const features = this.features;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, this.size - start);
      const indices = order.subarray(start, start + size);
      let x = this.xBuffer;
      let y = this.yBuffer;
      if (size !== this.batchSize) {
        if (this.tail === null || this.tail.y.length !== size) {
          this.tail = { x: this.xBuffer.subarray(0, size * features), y: this.yBuffer.subarray(0, size) };
        }
        ({ x, y } = this.tail);
      }
      if (features > 0) gatherRows(this.images, features, indices, x);
      for (let i = 0; i < size; i++) y[i] = this.labels[indices[i]];
      yield { x, y, size, indices };
    }
  }
}
