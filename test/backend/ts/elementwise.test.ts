import test from 'ava';
import { axpy, binary, copyStrided, scale, unary } from '../../../src/backend/ts/elementwise';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type FloatArray, type UnaryOp } from '../../../src/backend/backend';
import { DTYPES, assertClose, mulberry32, randomArray } from './helpers';

const BINARY_DEFS: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
  max: (x, y) => Math.max(x, y), min: (x, y) => Math.min(x, y), pow: (x, y) => x ** y,
};

const UNARY_DEFS: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x, abs: (x) => Math.abs(x), sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  exp: (x) => Math.exp(x), log: (x) => Math.log(x), sqrt: (x) => Math.sqrt(x), square: (x) => x * x,
  reciprocal: (x) => 1 / x, tanh: (x) => Math.tanh(x), tanhGrad: (x) => 1 - x * x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)), relu: (x) => Math.max(x, 0), reluMask: (x) => (x > 0 ? 1 : 0),
  log1p: (x) => Math.log1p(x),
};

/** Element at flat row-major position `flat` of `shape`, read through `strides`. */
function offsetOf(flat: number, shape: readonly number[], strides: readonly number[]): number {
  let offset = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    offset += (flat % shape[d]) * strides[d];
    flat = Math.floor(flat / shape[d]);
  }
  return offset;
}

/** Strides that broadcast dimensions where mask[d] is true (stride 0) and otherwise pad each row by `pad`. */
function stridesFor(shape: readonly number[], broadcast: readonly boolean[], pad: number): { strides: number[]; length: number } {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (broadcast[d]) {
      strides[d] = 0;
    } else {
      strides[d] = s;
      s *= shape[d] + (d === shape.length - 1 ? pad : 0);
    }
  }
  return { strides, length: s };
}

const SHAPES: number[][] = [[], [1], [5], [3, 4], [2, 1, 3], [2, 3, 4, 5], [4, 0, 3]];

for (const dt of DTYPES) {
  test(`binary ${dt.name}: every op, every rank, broadcast and padded strides`, (t) => {
    const rng = mulberry32(51);
    for (const op of BINARY_OPS) {
      for (const shape of SHAPES) {
        const count = shape.reduce((p, v) => p * v, 1);
        for (let variant = 0; variant < 3; variant++) {
          const aLayout = stridesFor(shape, shape.map((_, d) => variant === 1 && d % 2 === 0), variant);
          const bLayout = stridesFor(shape, shape.map((_, d) => variant === 2 && d % 2 === 1), 0);
          const lo = op === 'pow' ? 0.1 : -2;
          const a = randomArray(rng, dt.Ctor, aLayout.length, lo, 2), b = randomArray(rng, dt.Ctor, bLayout.length, lo, 2);
          const expected = new Float64Array(count);
          for (let i = 0; i < count; i++) {
            expected[i] = BINARY_DEFS[op](a[offsetOf(i, shape, aLayout.strides)], b[offsetOf(i, shape, bLayout.strides)]);
          }
          const out = new dt.Ctor(count).fill(NaN);
          binary(op, shape, a, aLayout.strides, b, bLayout.strides, out);
          assertClose(t, out, expected, dt.tol, `${op} [${shape}] variant ${variant}`);
        }
      }
    }
  });

  test(`binary ${dt.name}: out may alias a contiguous operand`, (t) => {
    const rng = mulberry32(52);
    const shape = [3, 4];
    const a = randomArray(rng, dt.Ctor, 12), b = randomArray(rng, dt.Ctor, 4);
    const expected = new dt.Ctor(12);
    binary('sub', shape, a, [4, 1], b, [0, 1], expected);
    binary('sub', shape, a, [4, 1], b, [0, 1], a);
    t.deepEqual(a, expected);
  });

  test(`unary ${dt.name}: every op, out may be x`, (t) => {
    const rng = mulberry32(53);
    for (const op of UNARY_OPS) {
      const positive = op === 'log' || op === 'sqrt' || op === 'log1p';
      const x = randomArray(rng, dt.Ctor, 33, positive ? 0.01 : -3, 3);
      const expected = Float64Array.from(x, UNARY_DEFS[op]);
      const out = new dt.Ctor(33);
      unary(op, x, out);
      assertClose(t, out, expected, dt.tol, op);
      unary(op, x, x);
      t.deepEqual(x, out, `${op} in place`);
    }
  });

  test(`scale, axpy and copyStrided ${dt.name}`, (t) => {
    const rng = mulberry32(54);
    const x = randomArray(rng, dt.Ctor, 10), y = randomArray(rng, dt.Ctor, 10);
    const out = new dt.Ctor(10);
    scale(-1.5, x, out);
    assertClose(t, out, Float64Array.from(x, (v) => -1.5 * v), dt.tol, 'scale');
    const expectedY = Float64Array.from(y, (v, i) => v + 0.25 * x[i]);
    axpy(0.25, x, y);
    assertClose(t, y, expectedY, dt.tol, 'axpy');
    scale(2, x, x);
    assertClose(t, x, Float64Array.from(out, (v) => v / -0.75), dt.tol, 'scale in place');

    // A transpose of a 3×4 matrix, a slice (every second column of rows 1..2), a broadcast row, a 0-d copy.
    const m = randomArray(rng, dt.Ctor, 12);
    const cases: Array<{ shape: number[]; strides: number[]; src: FloatArray }> = [
      { shape: [4, 3], strides: [1, 4], src: m },
      { shape: [2, 2], strides: [4, 2], src: m.subarray(4) },
      { shape: [3, 4], strides: [0, 1], src: m },
      { shape: [], strides: [], src: m.subarray(5) },
      { shape: [2, 0], strides: [1, 1], src: m.subarray(0, 0) },
    ];
    for (const { shape, strides, src } of cases) {
      const count = shape.reduce((p, v) => p * v, 1);
      const copy = new dt.Ctor(count);
      copyStrided(shape, src, strides, copy);
      t.deepEqual(Array.from(copy), Array.from({ length: count }, (_, i) => src[offsetOf(i, shape, strides)]), `[${shape}]`);
    }
  });
}

test('elementwise: edge semantics (NaN, signed zero, overflow)', (t) => {
  const run = (op: UnaryOp, values: number[]) => {
    const out = new Float64Array(values.length);
    unary(op, Float64Array.from(values), out);
    return Array.from(out);
  };
  t.deepEqual(run('sign', [0, -0, 3, -2, NaN]), [0, 0, 1, -1, NaN]);
  t.true(Object.is(run('sign', [-0])[0], 0));
  t.deepEqual(run('reluMask', [0, -0, 2, -1, NaN]), [0, 0, 1, 0, 0]);
  t.deepEqual(run('relu', [0, -0, 2, -1, NaN]), [0, 0, 2, 0, NaN]);
  t.true(Object.is(run('relu', [-0])[0], 0));
  t.deepEqual(run('sigmoid', [-1000, 1000, 0]), [0, 1, 0.5]);
  t.deepEqual(run('reciprocal', [0, -0]), [Infinity, -Infinity]);
  t.deepEqual(run('tanhGrad', [0.5]), [0.75]);

  const pair = (op: BinaryOp, a: number[], b: number[]) => {
    const out = new Float64Array(a.length);
    binary(op, [a.length], Float64Array.from(a), [1], Float64Array.from(b), [1], out);
    return Array.from(out);
  };
  t.deepEqual(pair('max', [NaN, 1, -0], [1, NaN, 0]), [NaN, NaN, 0]);
  t.deepEqual(pair('min', [NaN, 1, -0], [1, NaN, 0]), [NaN, NaN, -0]);
  t.deepEqual(pair('pow', [2, -8, 0, NaN], [-1, 1 / 3, 0, 0]), [0.5, NaN, 1, 1]);
  t.deepEqual(pair('div', [1, 0], [0, 0]), [Infinity, NaN]);
});

test('elementwise: 0-d shapes have one element', (t) => {
  const out = new Float32Array(1);
  binary('mul', [], Float32Array.from([3]), [], Float32Array.from([-2]), [], out);
  t.is(out[0], -6);
});

test('elementwise: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => binary('add', [2, 3], f(5), [3, 1], f(6), [3, 1], f(6)), { instanceOf: RangeError, message: /binary: a has 5 elements, needs 6 \(shape \[2, 3\], aStrides \[3, 1\]\)/ });
  t.throws(() => binary('add', [2, 3], f(6), [3, 1], f(3), [0, 2], f(6)), { instanceOf: RangeError, message: /b has 3 elements, needs 5/ });
  t.throws(() => binary('add', [2, 3], f(6), [3, 1], f(6), [3, 1], f(5)), { instanceOf: RangeError, message: /out has 5 elements, needs 6/ });
  t.throws(() => binary('add', [2, 3], f(6), [1], f(6), [3, 1], f(6)), { instanceOf: RangeError, message: /aStrides has 1 entries/ });
  t.throws(() => binary('add', [2, 3], f(6), [3, -1], f(6), [3, 1], f(6)), { instanceOf: RangeError, message: /aStrides\[1\]/ });
  t.throws(() => binary('add', [2, -3], f(6), [3, 1], f(6), [3, 1], f(6)), { instanceOf: RangeError, message: /shape\[1\]/ });
  t.throws(() => binary('add', [2, 3], f(6), [3, 1], new Float32Array(6), [3, 1], f(6)), { instanceOf: TypeError });
  const anyBinary = binary as unknown as (...args: unknown[]) => void;
  t.throws(() => anyBinary('atan2', [1], f(1), [1], f(1), [1], f(1)), { instanceOf: RangeError, message: /unknown op 'atan2'/ });
  t.throws(() => anyBinary('add', 6, f(6), [1], f(6), [1], f(6)), { instanceOf: TypeError, message: /shape must be an array/ });
  const anyUnary = unary as unknown as (...args: unknown[]) => void;
  t.throws(() => anyUnary('gelu', f(2), f(2)), { instanceOf: RangeError, message: /unknown op 'gelu'/ });
  t.throws(() => unary('exp', f(2), f(3)), { instanceOf: RangeError, message: /same length/ });
  t.throws(() => scale(2, f(2), f(1)), { instanceOf: RangeError });
  t.throws(() => axpy(2, f(2), new Float32Array(2)), { instanceOf: TypeError });
  t.throws(() => axpy(2, f(2), f(3)), { instanceOf: RangeError });
  t.throws(() => copyStrided([3], f(2), [1], f(3)), { instanceOf: RangeError, message: /src has 2 elements, needs 3/ });
  t.throws(() => copyStrided([3], f(5), [2], f(2)), { instanceOf: RangeError, message: /out has 2 elements, needs 3/ });
});
