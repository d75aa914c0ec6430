import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError } from '../../src/io/errors';
import { loadInto, loadSafetensors, parseSafetensors, saveSafetensors } from '../../src/io/safetensors';
import { Tensor } from '../../src/tensor';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-safetensors-'));
test.after.always(() => fs.rmSync(root, { recursive: true, force: true }));

let counter = 0;
function tmpFile(name = 'ckpt.safetensors'): string {
  const dir = path.join(root, `t${counter++}`);
  fs.mkdirSync(dir);
  return path.join(dir, name);
}

function f32(values: number[], shape: number[]): Tensor {
  return new Tensor(Float32Array.from(values), shape, undefined);
}

function f64(values: number[], shape: number[]): Tensor {
  return new Tensor(Float64Array.from(values), shape, undefined);
}

/** A safetensors file from a header object and data bytes, built by hand. */
function build(header: unknown, data: Uint8Array | number[] = [], rawHeader?: string): Buffer {
  let json = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, Buffer.from(data)]);
}

function checkpointError(t: ExecutionContext, fn: () => unknown): string {
  const error = t.throws(fn, { instanceOf: CheckpointError });
  t.is(error?.name, 'CheckpointError');
  t.false(error?.message.includes('\n'), 'message is one line');
  return error?.message ?? '';
}

test('round trip of float32 and float64 tensors, 0-d and empty ones, and metadata', (t) => {
  const file = tmpFile();
  const tensors = {
    'layer1.weight': f32([1.5, -2, 3.25, 1e-30, 3.4e38, -0], [2, 3]),
    'layer1.bias': f64([Math.PI, -Math.E], [2]),
    scalar: f64([42.125], []),
    scalar32: f32([-7], []),
    empty: f32([], [0, 3]),
    empty64: f64([], [4, 0]),
    special: f32([NaN, Infinity, -Infinity], [3]),
  };
  saveSafetensors(file, tensors, { format: 'pt', epoch: '3' });
  const { tensors: loaded, metadata } = loadSafetensors(file, { backend: 'ts' });
  t.deepEqual(metadata, { format: 'pt', epoch: '3' });
  t.deepEqual(Object.keys(loaded).sort(), Object.keys(tensors).sort());
  for (const [name, original] of Object.entries(tensors)) {
    const got = loaded[name];
    t.deepEqual(got.shape, original.shape, name);
    t.is(got.dtype, original.dtype, name);
    t.deepEqual(got.data, original.data, name);
    t.is(got.backend.name, 'ts');
  }
  t.true(Object.is(loaded['layer1.weight'].data[5], -0));
  t.deepEqual(fs.readdirSync(path.dirname(file)), ['ckpt.safetensors']);
});

test('exact byte layout of a tiny file: size, sorted header, space padding, contiguous data', (t) => {
  const file = tmpFile();
  saveSafetensors(file, { b: f32([1, 2], [2]), a: f64([0.5], []) }, { k: 'v' });
  const header = '{"__metadata__":{"k":"v"},'
    + '"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},'
    + '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
  t.is(header.length, 132);
  const expected = Buffer.alloc(8 + 136 + 16);
  expected.writeBigUInt64LE(136n, 0);
  expected.write(header, 8, 'utf8');
  expected.fill(0x20, 8 + 132, 8 + 136); // four spaces of padding
  expected.writeDoubleLE(0.5, 144);
  expected.writeFloatLE(1, 152);
  expected.writeFloatLE(2, 156);
  t.deepEqual(fs.readFileSync(file), expected);

  // Without metadata there is no __metadata__ entry; an empty dict is a valid file.
  const empty = tmpFile();
  saveSafetensors(empty, {});
  const bytes = fs.readFileSync(empty);
  t.is(bytes.readBigUInt64LE(0), 8n);
  t.is(bytes.subarray(8).toString('utf8'), '{}      ');
  t.deepEqual(loadSafetensors(empty), { tensors: {}, metadata: {} });
});

test('tensors are written wider dtypes first, then by name, aligned and with no gaps', (t) => {
  const file = tmpFile();
  saveSafetensors(file, { zeta: f32([1], [1]), alpha: f64([1, 2], [2]), 'mid.x': f32([1, 2, 3], [3]), Mid: f32([], [0]) });
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  t.is(n % 8, 0);
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; data_offsets: number[] }>;
  t.deepEqual(Object.keys(header), ['alpha', 'Mid', 'mid.x', 'zeta']);
  let at = 0;
  for (const name of Object.keys(header)) {
    t.is(header[name].data_offsets[0], at, name);
    t.is((8 + n + at) % (header[name].dtype === 'F64' ? 8 : 4), 0, `${name} starts aligned to its element size`);
    at = header[name].data_offsets[1];
  }
  t.is(at, bytes.length - 8 - n);
});

test('every kind of corruption is a one-line CheckpointError naming the file and tensor', (t) => {
  const cases: [string, Buffer, RegExp][] = [
    ['too short', Buffer.from([1, 0, 0]), /file too short \(3 bytes\)/],
    ['header beyond file', (() => { const b = build({}); b.writeBigUInt64LE(1000n, 0); return b; })(), /header size 1000 is beyond the end of the file \(8 bytes follow/],
    ['huge header size', (() => { const b = build({}); b.writeBigUInt64LE(0xffffffffffffffffn, 0); return b; })(), /header size 18446744073709551615 is beyond/],
    ['invalid JSON', build(null, [], '{"a": {"dtype": "F32",'), /header is not valid JSON/],
    ['invalid UTF-8', Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 32, 32, 32, 32])]), /not valid UTF-8/],
    ['not an object', build([1, 2]), /header JSON is not an object/],
    ['unknown dtype', build({ w: { dtype: 'Q99', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "w" has unknown dtype "Q99"/],
    ['F16', build({ half: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "half" has unsupported dtype F16 \(gradnode reads F32 and F64 only/],
    ['BF16', build({ bf: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, [0, 0]), /tensor "bf" has unsupported dtype BF16/],
    ['I64', build({ step: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, new Array(8).fill(0)), /tensor "step" has unsupported dtype I64/],
    ['no dtype', build({ w: { shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "w" has no dtype/],
    ['bad shape', build({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor "w" has an invalid shape \[-1\]/],
    ['bad offsets', build({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, [0, 0, 0, 0]), /tensor "w" has invalid data_offsets \[0\]/],
    ['offsets reversed', build({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, [0, 0, 0, 0]), /end before they begin/],
    ['size mismatch', build({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, new Array(12).fill(0)), /tensor "w" of shape \[2, 2\] and dtype F32 needs 16 bytes but data_offsets \[0, 12\] hold 12/],
    ['out of range', build({ w: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, new Array(8).fill(0)), /tensor "w" has data_offsets \[0, 16\] beyond the 8-byte data buffer/],
    ['overlap', build({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    }, new Array(12).fill(0)), /tensor "b" data_offsets \[4, 12\] overlap tensor "a"/],
    ['gap', build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0)), /tensor "a" data_offsets \[4, 8\] leave a gap after byte 0/],
    ['trailing bytes', build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Array(6).fill(0)), /data buffer has 6 bytes but the tensors cover 4/],
    ['truncated data', build({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, new Array(11).fill(0)), /beyond the 11-byte data buffer/],
    ['bad metadata', build({ __metadata__: { epoch: 3 } }), /__metadata__ value for "epoch" is not a string/],
    ['entry not an object', build({ w: 'F32' }), /tensor "w" has no \{dtype, shape, data_offsets\} entry/],
  ];
  for (const [what, bytes, pattern] of cases) {
    const file = tmpFile(`${what.replace(/ /g, '-')}.safetensors`);
    fs.writeFileSync(file, bytes);
    const message = checkpointError(t, () => loadSafetensors(file));
    t.regex(message, pattern, what);
    t.true(message.startsWith(`${file}: `), `${what}: names the file`);
  }
  t.regex(checkpointError(t, () => loadSafetensors(path.join(root, 'missing.safetensors'))), /checkpoint file not found/);
  t.regex(checkpointError(t, () => loadSafetensors(root)), /is a folder/);
});

test('files from writers that order by dtype, or put __metadata__ last, still load', (t) => {
  const data = Buffer.alloc(8 + 4 + 4);
  data.writeDoubleLE(-1.25, 0);
  data.writeFloatLE(2.5, 8);
  data.writeFloatLE(3.5, 12);
  const bytes = build({
    z: { dtype: 'F64', shape: [1, 1], data_offsets: [0, 8] },
    a: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    __metadata__: { format: 'pt' },
  }, data);
  const { tensors, metadata } = parseSafetensors(bytes, 'mem', { backend: 'ts' });
  t.deepEqual(metadata, { format: 'pt' });
  t.deepEqual(tensors.z.shape, [1, 1]);
  t.is(tensors.z.data[0], -1.25);
  t.deepEqual([...tensors.a.data], [2.5, 3.5]);
  t.is(tensors.a.dtype, 'float32');
});

test('saving refuses unserialisable input without touching an existing file', (t) => {
  const file = tmpFile();
  saveSafetensors(file, { w: f32([1, 2], [2]) });
  const before = fs.readFileSync(file);
  const bad: [Record<string, unknown>, Record<string, unknown> | undefined, RegExp][] = [
    [{ w: f32([1], [1]), v: [1, 2, 3] }, undefined, /tensor "v" is not a float32\/float64 Tensor/],
    [{ w: f32([1], [1]), v: null }, undefined, /tensor "v" is not a float32\/float64 Tensor \(received null\)/],
    [{ w: { data: new Int32Array(2), shape: [2] } }, undefined, /tensor "w" is not/],
    [{ __metadata__: f32([1], [1]) }, undefined, /"__metadata__" is reserved/],
    [{ '': f32([1], [1]) }, undefined, /empty name/],
    [{ w: f32([1], [1]) }, { epoch: 3 }, /metadata value for "epoch" must be a string/],
  ];
  for (const [tensors, metadata, pattern] of bad) {
    const message = checkpointError(t, () => saveSafetensors(file, tensors as Record<string, Tensor>, metadata as Record<string, string>));
    t.regex(message, pattern);
    t.true(message.includes(file));
  }
  t.deepEqual(fs.readFileSync(file), before);
  t.deepEqual(fs.readdirSync(path.dirname(file)), ['ckpt.safetensors']);
});

test('a save whose final rename fails leaves no temporary file behind', (t) => {
  const dir = path.dirname(tmpFile());
  const target = path.join(dir, 'occupied');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'x'), '');
  t.throws(() => saveSafetensors(target, { w: f32([1], [1]) }), { code: 'EISDIR' });
  t.deepEqual(fs.readdirSync(dir), ['occupied']);
});

test('loadInto copies values into existing tensors in place', (t) => {
  const file = tmpFile();
  saveSafetensors(file, { w: f32([1, 2, 3, 4], [2, 2]), b: f64([5], [1]) }, { step: '10' });
  const model = { w: f32([0, 0, 0, 0], [2, 2]), b: f64([0], [1]) };
  const w = model.w.data;
  const result = loadInto(model, file);
  t.is(model.w.data, w, 'same storage');
  t.deepEqual([...model.w.data], [1, 2, 3, 4]);
  t.deepEqual([...model.b.data], [5]);
  t.deepEqual(result, { metadata: { step: '10' }, missing: [], unexpected: [] });
});

test('loadInto lists missing, unexpected and mismatched tensors and copies nothing', (t) => {
  const file = tmpFile();
  saveSafetensors(file, { w: f32([1, 2, 3, 4], [2, 2]), b: f32([5], [1]), extra: f32([1], [1]), d: f32([1], [1]) });
  const model = { w: f32([0, 0, 0, 0], [4, 1]), b: f32([0], [1]), gone: f32([0], [1]), d: f64([0], [1]) };
  const message = checkpointError(t, () => loadInto(model, file));
  t.is(message, `${file} does not match the target: missing from the file: gone; unexpected in the file: extra; `
    + 'dtype mismatch for d (model float64, file float32); shape mismatch for w (model [4, 1], file [2, 2])');
  t.deepEqual([...model.b.data], [0], 'nothing copied');

  // Non-strict: missing and unexpected names are reported, matching ones copied.
  const partial = { b: f32([0], [1]), gone: f32([7], [1]) };
  t.deepEqual(loadInto(partial, file, { strict: false }), { metadata: {}, missing: ['gone'], unexpected: ['d', 'extra', 'w'] });
  t.deepEqual([...partial.b.data], [5]);
  t.deepEqual([...partial.gone.data], [7]);
  // Shape mismatches are errors even when not strict.
  t.throws(() => loadInto({ w: f32([0, 0], [2]) }, file, { strict: false }), { instanceOf: CheckpointError, message: /shape mismatch for w/ });
});

// ---- cross-check with Python (json + struct + numpy only) -------------------

const PYTHON = '/usr/bin/python3';

const READER = `
import json, struct, sys
import numpy as np
path = sys.argv[1]
with open(path, 'rb') as f:
    raw = f.read()
(n,) = struct.unpack('<Q', raw[:8])
assert n % 8 == 0, 'header not padded to 8'
header = json.loads(raw[8:8 + n].decode('utf-8'))
data = raw[8 + n:]
out = {'__metadata__': header.pop('__metadata__', {})}
ends = []
for name, e in header.items():
    b, end = e['data_offsets']
    dt = {'F32': '<f4', 'F64': '<f8'}[e['dtype']]
    arr = np.frombuffer(data[b:end], dtype=dt).reshape(e['shape'])
    out[name] = {'dtype': e['dtype'], 'shape': list(arr.shape), 'values': [float(v) for v in arr.reshape(-1)]}
    ends.append((b, end))
ends.sort()
pos = 0
for b, end in ends:
    assert b == pos, 'gap or overlap'
    pos = end
assert pos == len(data), 'trailing bytes'
print(json.dumps(out))
`;

const WRITER = `
import json, struct, sys
import numpy as np
tensors = {'w': np.arange(6, dtype='<f8').reshape(2, 3) / 4, 'b': np.array([1.5, -2.0], dtype='<f4')}
# Order by dtype size first, like the safetensors package does.
order = ['w', 'b']
header, chunks, pos = {}, [], 0
for name in order:
    a = tensors[name]
    buf = a.tobytes()
    header[name] = {'dtype': 'F64' if a.dtype == np.float64 else 'F32', 'shape': list(a.shape), 'data_offsets': [pos, pos + len(buf)]}
    chunks.append(buf)
    pos += len(buf)
header['__metadata__'] = {'format': 'np'}
h = json.dumps(header, separators=(',', ':')).encode('utf-8')
h += b' ' * ((8 - len(h) % 8) % 8)
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))
`;

function pythonWithNumpy(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} is absent`;
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `numpy is not importable from ${PYTHON} (${probe.stderr.trim().split('\n').pop()})`;
  return null;
}

test('Python (json + struct + numpy) reads our files, and we read its files', (t) => {
  const missing = pythonWithNumpy();
  if (missing !== null) {
    t.log(`skipping the Python cross-check: ${missing}`);
    t.pass();
    return;
  }
  const ours = tmpFile();
  saveSafetensors(ours, {
    weight: f32([0.1, -0.2, 0.3, 1e-8, 5, 6], [3, 2]), scale: f64([Math.PI], []), none: f32([], [0, 2]),
  }, { note: 'gradnode ✓' });
  const read = spawnSync(PYTHON, ['-c', READER, ours], { encoding: 'utf8' });
  t.is(read.status, 0, read.stderr);
  const parsed = JSON.parse(read.stdout) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
  t.deepEqual(parsed.__metadata__, { note: 'gradnode ✓' } as never);
  t.deepEqual(parsed.weight, { dtype: 'F32', shape: [3, 2], values: [...Float32Array.from([0.1, -0.2, 0.3, 1e-8, 5, 6])] });
  t.deepEqual(parsed.scale, { dtype: 'F64', shape: [], values: [Math.PI] });
  t.deepEqual(parsed.none, { dtype: 'F32', shape: [0, 2], values: [] });

  const theirs = tmpFile('numpy.safetensors');
  const write = spawnSync(PYTHON, ['-c', WRITER, theirs], { encoding: 'utf8' });
  t.is(write.status, 0, write.stderr);
  const { tensors, metadata } = loadSafetensors(theirs, { backend: 'ts' });
  t.deepEqual(metadata, { format: 'np' });
  t.deepEqual(tensors.w.shape, [2, 3]);
  t.is(tensors.w.dtype, 'float64');
  t.deepEqual([...tensors.w.data], [0, 0.25, 0.5, 0.75, 1, 1.25]);
  t.is(tensors.b.dtype, 'float32');
  t.deepEqual([...tensors.b.data], [1.5, -2]);
});
