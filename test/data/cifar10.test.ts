import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR10_RECORD_BYTES, loadCifar10 } from '../../src/data/cifar10';
import { DataError } from '../../src/data/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-cifar-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

function dataError(t: ExecutionContext, fn: () => unknown): string {
  const error = t.throws(fn, { instanceOf: DataError });
  t.false(error?.message.includes('\n'), 'message is one line');
  return error?.message ?? '';
}

/** The byte the generated files hold for record `rec` (global), channel c, row r, column w. */
function pixel(rec: number, c: number, r: number, w: number): number {
  return (rec * 13 + c * 101 + r * 7 + w * 3) % 256;
}

/** A batch file with records first..first+count-1: label (rec*3)%10, then the R, G, B planes. */
function writeBatch(file: string, first: number, count: number): void {
  const bytes = new Uint8Array(count * CIFAR10_RECORD_BYTES);
  for (let k = 0; k < count; k++) {
    const rec = first + k;
    const at = k * CIFAR10_RECORD_BYTES;
    bytes[at] = (rec * 3) % 10;
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 32; r++) {
        for (let w = 0; w < 32; w++) bytes[at + 1 + c * 1024 + r * 32 + w] = pixel(rec, c, r, w);
      }
    }
  }
  fs.writeFileSync(file, bytes);
}

const folder = path.join(dir, 'cifar');
fs.mkdirSync(folder);
writeBatch(path.join(folder, 'data_batch_1.bin'), 0, 3);
writeBatch(path.join(folder, 'data_batch_2.bin'), 3, 2);
writeBatch(path.join(folder, 'test_batch.bin'), 100, 4);

test('CIFAR-10 binary batches load as CHW float images in [0, 1]', (t) => {
  const train = loadCifar10({ split: 'train', dataDir: folder, batches: [1, 2] });
  t.is(train.n, 5);
  t.deepEqual(train.shape, [3, 32, 32]);
  t.is(train.images.length, 5 * 3072);
  t.deepEqual([...train.labels], [0, 3, 6, 9, 2]);
  t.is(train.classNames?.[train.labels[1]], 'cat');
  // A known pixel: record 4 (second record of batch 2), green channel, row 17, column 5.
  const at = 4 * 3072 + 1 * 1024 + 17 * 32 + 5;
  t.is(train.images[at], Math.fround(pixel(4, 1, 17, 5) / 255));
  for (let rec = 0; rec < 5; rec++) {
    for (const [c, r, w] of [[0, 0, 0], [2, 31, 31], [1, 9, 30]]) {
      t.is(train.images[rec * 3072 + c * 1024 + r * 32 + w], Math.fround(pixel(rec, c, r, w) / 255));
    }
  }
  const testSet = loadCifar10({ split: 'test', dataDir: folder });
  t.is(testSet.n, 4);
  t.deepEqual([...testSet.labels], [0, 3, 6, 9]);
  t.is(testSet.images[2 * 3072 + 2 * 1024 + 3 * 32 + 4], Math.fround(pixel(102, 2, 3, 4) / 255));
  t.is(loadCifar10({ split: 'test', dataDir: folder, limit: 2 }).n, 2);
});

test('the extracted cifar-10-batches-bin folder is found inside --data DIR', (t) => {
  const outer = path.join(dir, 'outer');
  const inner = path.join(outer, 'cifar-10-batches-bin');
  fs.mkdirSync(inner, { recursive: true });
  writeBatch(path.join(inner, 'test_batch.bin'), 0, 1);
  t.is(loadCifar10({ split: 'test', dataDir: outer }).n, 1);
});

test('missing data is a one-line error saying to pass --data DIR', (t) => {
  const none = dataError(t, () => loadCifar10({ split: 'train' }));
  t.regex(none, /CIFAR-10 is not shipped by any npm or Debian package here.*--data DIR/);
  t.regex(dataError(t, () => loadCifar10({ split: 'test', dataDir: path.join(dir, 'nowhere') })), /does not exist.*--data DIR/);
  // The default train split needs all five batches.
  t.regex(dataError(t, () => loadCifar10({ split: 'train', dataDir: folder })),
    /CIFAR-10 train files missing in .*: data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin \(.*--data DIR/);
  t.throws(() => loadCifar10({ split: 'train', dataDir: folder, batches: [0] }), { instanceOf: RangeError });
});

test('a file that is not whole records, or has a bad label, is a DataError', (t) => {
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'test_batch.bin'), new Uint8Array(2 * CIFAR10_RECORD_BYTES - 1));
  const message = dataError(t, () => loadCifar10({ split: 'test', dataDir: bad }));
  t.regex(message, /size 6145 bytes is not a positive multiple of the 3073-byte CIFAR-10 record/);
  t.true(message.includes(path.join(bad, 'test_batch.bin')));
  fs.writeFileSync(path.join(bad, 'data_batch_1.bin'), new Uint8Array(0));
  t.regex(dataError(t, () => loadCifar10({ split: 'train', dataDir: bad, batches: [1] })), /size 0 bytes/);
  const label = new Uint8Array(CIFAR10_RECORD_BYTES);
  label[0] = 10;
  fs.writeFileSync(path.join(bad, 'data_batch_2.bin'), label);
  t.regex(dataError(t, () => loadCifar10({ split: 'train', dataDir: bad, batches: [2] })), /label 10 of record 0 is outside 0\.\.9/);
});
