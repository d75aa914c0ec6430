import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DataError } from '../../src/data/errors';
import { encodeIdx, parseIdx, readIdx, readIdxCached, writeIdx } from '../../src/data/idx';
import { dataCacheStats } from '../../src/data/cache';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-idx-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + 11) & 255;
  return out;
}

/** The error thrown by fn, checked to be a one-line DataError. */
function dataError(t: import('ava').ExecutionContext, fn: () => unknown): string {
  const error = t.throws(fn, { instanceOf: DataError });
  t.is(error?.name, 'DataError');
  t.false(error?.message.includes('\n'), 'message is one line');
  return error?.message ?? '';
}

test('writeIdx/readIdx round trip, raw', (t) => {
  const file = path.join(dir, 'round-raw-idx3-ubyte');
  const data = sample(3 * 4 * 5);
  writeIdx(file, [3, 4, 5], data);
  const bytes = fs.readFileSync(file);
  t.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0x08, 3]);
  t.is(bytes.readUInt32BE(4), 3);
  t.is(bytes.readUInt32BE(8), 4);
  t.is(bytes.readUInt32BE(12), 5);
  t.is(bytes.length, 16 + 60);
  const idx = readIdx(file);
  t.deepEqual(idx.dims, [3, 4, 5]);
  t.deepEqual(idx.data, data);
  t.is(Object.getPrototypeOf(idx.data), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
});

test('writeIdx/readIdx round trip, gzip (by name and by magic bytes)', (t) => {
  const data = sample(7);
  const gz = path.join(dir, 'labels-idx1-ubyte.gz');
  writeIdx(gz, [7], data);
  const raw = fs.readFileSync(gz);
  t.deepEqual([raw[0], raw[1]], [0x1f, 0x8b]);
  t.deepEqual(readIdx(gz).dims, [7]);
  t.deepEqual([...readIdx(gz).data], [...data]);
  // gzip content under a name without .gz is recognised by its magic number.
  const disguised = path.join(dir, 'disguised-idx1-ubyte');
  fs.writeFileSync(disguised, zlib.gzipSync(encodeIdx([7], data)));
  t.deepEqual([...readIdx(disguised).data], [...data]);
  t.deepEqual(readIdx(disguised).dims, [7]);
});

test('writeIdx leaves no temporary files and validates its input', (t) => {
  const sub = fs.mkdtempSync(path.join(dir, 'w-'));
  writeIdx(path.join(sub, 'a'), [2, 2], [0, 1, 2, 255]);
  writeIdx(path.join(sub, 'a'), [1], [9]);
  t.deepEqual(fs.readdirSync(sub), ['a']);
  t.deepEqual(readIdx(path.join(sub, 'a')).dims, [1]);
  t.throws(() => writeIdx(path.join(sub, 'b'), [2], [1, 256]), { instanceOf: RangeError, message: /0\.\.255/ });
  t.throws(() => writeIdx(path.join(sub, 'b'), [2, 2], [1, 2, 3]), { instanceOf: RangeError, message: /need 4 values/ });
  t.throws(() => writeIdx(path.join(sub, 'b'), [1, 1, 1, 1, 1], [1]), { instanceOf: RangeError });
  t.deepEqual(fs.readdirSync(sub), ['a']);
});

test('a truncated file names the file and the expected and actual byte counts', (t) => {
  const file = path.join(dir, 'truncated-idx3-ubyte');
  const full = encodeIdx([2, 3, 3], sample(18));
  fs.writeFileSync(file, full.subarray(0, full.length - 5));
  const message = dataError(t, () => readIdx(file));
  t.true(message.includes(file));
  t.regex(message, /need 18 data bytes but the file has 13 \(truncated\)/);
  // The same for a gzipped file, and for a header cut short.
  const gz = path.join(dir, 'truncated-idx3-ubyte.gz');
  fs.writeFileSync(gz, zlib.gzipSync(full.subarray(0, full.length - 1)));
  t.regex(dataError(t, () => readIdx(gz)), /need 18 data bytes but the file has 17/);
  const header = path.join(dir, 'short-header');
  fs.writeFileSync(header, full.subarray(0, 9));
  t.regex(dataError(t, () => readIdx(header)), /truncated IDX header: expected 16 header bytes but the file has 9/);
});

test('trailing bytes are an error too', (t) => {
  const file = path.join(dir, 'padded-idx1-ubyte');
  fs.writeFileSync(file, Buffer.concat([encodeIdx([4], sample(4)), Buffer.from([0, 0])]));
  t.regex(dataError(t, () => readIdx(file)), /need 4 data bytes but the file has 6 \(trailing bytes\)/);
});

test('a wrong magic number, a float IDX (0x0D) and a bad rank are DataErrors', (t) => {
  const wrong = path.join(dir, 'wrong-magic');
  fs.writeFileSync(wrong, Buffer.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7]));
  t.regex(dataError(t, () => readIdx(wrong)), /not an IDX file: the magic number starts 0x12 0x34/);

  const float = path.join(dir, 'float-idx1');
  const f = Buffer.alloc(8 + 4);
  f[2] = 0x0d; f[3] = 1; f.writeUInt32BE(1, 4); f.writeFloatBE(1.5, 8);
  fs.writeFileSync(float, f);
  const message = dataError(t, () => readIdx(float));
  t.regex(message, /unsupported IDX element type 0x0D \(float32\)/);
  t.true(message.includes(float));

  const rank = path.join(dir, 'rank-0');
  fs.writeFileSync(rank, Buffer.from([0, 0, 8, 0]));
  t.regex(dataError(t, () => readIdx(rank)), /declares 0 dimensions; expected 1 to 4/);
  t.regex(dataError(t, () => parseIdx(new Uint8Array([0, 0]))), /shorter than the 4-byte magic/);
});

test('missing files and damaged gzip are one-line DataErrors', (t) => {
  t.regex(dataError(t, () => readIdx(path.join(dir, 'nope'))), /IDX file not found/);
  t.regex(dataError(t, () => readIdx(dir)), /is a folder/);
  const bad = path.join(dir, 'bad.gz');
  fs.writeFileSync(bad, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  t.regex(dataError(t, () => readIdx(bad)), /cannot gunzip/);
});

test('readIdxCached parses a file once and re-reads it when it changes', (t) => {
  const file = path.join(dir, 'cached-idx1-ubyte');
  writeIdx(file, [3], [1, 2, 3]);
  const before = dataCacheStats().reads;
  const a = readIdxCached(file);
  const b = readIdxCached(file);
  t.is(a, b);
  t.is(dataCacheStats().reads, before + 1);
  writeIdx(file, [4], [1, 2, 3, 4]);
  t.deepEqual(readIdxCached(file).dims, [4]);
  t.is(dataCacheStats().reads, before + 2);
});
