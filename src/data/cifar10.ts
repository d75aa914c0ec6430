/**
 * CIFAR-10 in the official binary format ("CIFAR-10 binary version"):
 * data_batch_1.bin .. data_batch_5.bin (train) and test_batch.bin (test),
 * each a sequence of 3073-byte records: 1 label byte (0..9), then 3072 pixel
 * bytes — 1024 red, 1024 green, 1024 blue, each plane 32×32 row-major. That
 * is already CHW order, so a sample is [3, 32, 32] with pixels / 255.
 *
 * No npm or Debian package ships CIFAR-10 here, so there is no default
 * location: pass `dataDir` (the `--data DIR` flag) with the .bin files, or
 * the folder that holds the extracted `cifar-10-batches-bin/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cached } from './cache';
import type { ImageDataset } from './dataset';
import { DataError } from './errors';
import type { Split } from './mnist';

export const CIFAR10_RECORD_BYTES = 3073;
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

const PIXELS = 3072;
const REMEDY = 'CIFAR-10 is not shipped by any npm or Debian package here: download the binary version and pass --data DIR with data_batch_1.bin..data_batch_5.bin and test_batch.bin';

export interface Cifar10Options {
  split: Split;
  /** Folder with the .bin files, or the folder holding cifar-10-batches-bin/ (the `--data DIR` flag). */
  dataDir?: string;
  /** Which data_batch_K.bin files make up the train split (default [1, 2, 3, 4, 5]). */
  batches?: readonly number[];
  /** Keep only the first `limit` samples (all when absent or -1). */
  limit?: number;
}

/** The bytes of one batch file, checked to be whole records. */
function readBatch(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new DataError(`Cannot read CIFAR-10 batch ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      `${file}: size ${bytes.length} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record (1 label + 3072 pixels); is it the binary version, complete?`,
    );
  }
  return bytes;
}

function resolveFolder(dataDir: string | undefined): string {
  if (dataDir === undefined) throw new DataError(`${REMEDY} (no --data DIR given)`);
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new TypeError(`Expected dataDir to be a folder path but received ${String(dataDir)}`);
  }
  const dir = path.resolve(dataDir);
  if (!fs.existsSync(dir)) throw new DataError(`CIFAR-10 folder ${dir} does not exist (${REMEDY})`);
  const nested = path.join(dir, 'cifar-10-batches-bin');
  if (!fs.existsSync(path.join(dir, 'test_batch.bin')) && !fs.existsSync(path.join(dir, 'data_batch_1.bin'))
    && fs.existsSync(nested)) {
    return nested;
  }
  return dir;
}

/** CIFAR-10 (50,000 train / 10,000 test with the real files), [3, 32, 32] CHW, pixels in [0, 1]. */
export function loadCifar10(options: Cifar10Options): ImageDataset {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError("loadCifar10 needs options { split: 'train' | 'test', dataDir }");
  }
  const { split } = options;
  if (split !== 'train' && split !== 'test') {
    throw new RangeError(`Expected split 'train' or 'test' but received ${String(split)}`);
  }
  let limit = Infinity;
  if (options.limit !== undefined && options.limit !== -1) {
    if (!Number.isSafeInteger(options.limit) || options.limit < 0) {
      throw new RangeError(`Expected non-negative integer (or -1 for all) for limit but received ${String(options.limit)}`);
    }
    limit = options.limit;
  }
  const batches = options.batches ?? [1, 2, 3, 4, 5];
  if (split === 'train') {
    if (!Array.isArray(batches) || batches.length === 0
      || batches.some((b) => !Number.isInteger(b) || b < 1 || b > 5)) {
      throw new RangeError(`Expected batches to be a non-empty list of 1..5 but received [${String(batches)}]`);
    }
  }
  const dir = resolveFolder(options.dataDir);
  const names = split === 'train' ? batches.map((b) => `data_batch_${b}.bin`) : ['test_batch.bin'];
  const missing = names.filter((name) => !fs.existsSync(path.join(dir, name)));
  if (missing.length > 0) {
    throw new DataError(`CIFAR-10 ${split} files missing in ${dir}: ${missing.join(', ')} (${REMEDY})`);
  }
  const files = names.map((name) => {
    const file = path.join(dir, name);
    return { file, bytes: cached('cifar10', file, readBatch, (b) => b.byteLength) };
  });
  const total = files.reduce((s, f) => s + f.bytes.length / CIFAR10_RECORD_BYTES, 0);
  const n = Math.min(total, limit);
  const images = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let k = 0;
  for (const { file, bytes } of files) {
    const records = bytes.length / CIFAR10_RECORD_BYTES;
    for (let r = 0; r < records && k < n; r++, k++) {
      const at = r * CIFAR10_RECORD_BYTES;
      const y = bytes[at];
      if (y > 9) throw new DataError(`${file}: label ${y} of record ${r} is outside 0..9 (not a CIFAR-10 binary file?)`);
      labels[k] = y;
      const o = k * PIXELS;
      for (let j = 0; j < PIXELS; j++) images[o + j] = bytes[at + 1 + j] / 255;
    }
  }
  return { images, labels, n, shape: [3, 32, 32], classes: 10, name: 'cifar10', classNames: CIFAR10_CLASSES };
}
