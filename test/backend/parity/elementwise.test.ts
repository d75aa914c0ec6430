import { BINARY_OPS, UNARY_OPS } from '../../../src/backend/backend';
import { broadcastShapes, broadcastStrides, contiguousStrides, sizeOf } from '../../../src/tensor/shape';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

// Pairs of operand shapes, broadcast like NumPy.
const PAIRS: [number[], number[]][] = [
  [[], []], [[5], []], [[], [5]], [[3, 4], [4]], [[3, 1], [1, 4]], [[1], [7, 1]],
  [[2, 3, 4, 5], [3, 1, 5]], [[2, 1, 4, 1], [1, 3, 1, 5]], [[128, 256], [128, 256]], [[1001], [1001]],
];

parity('binary ops broadcast like the reference', ({ t, native, ref, dtype, gen }) => {
  for (const op of BINARY_OPS) {
    for (const [sa, sb] of PAIRS) {
      const shape = broadcastShapes(sa, sb);
      const [low, high] = op === 'pow' ? [0.1, 3] : [-2, 2];
      const a = randomArray(gen, dtype, sizeOf(sa), low, high);
      const b = randomArray(gen, dtype, sizeOf(sb), op === 'pow' ? -2 : low, high);
      if (op === 'div') b.forEach((v, i) => { b[i] = Math.abs(v) < 0.1 ? 0.5 : v; });
      const outRef = zerosLike(a, sizeOf(shape));
      const outNative = zerosLike(a, sizeOf(shape));
      ref.binary(op, shape, a, broadcastStrides(sa, shape), b, broadcastStrides(sb, shape), outRef);
      native.binary(op, shape, a, broadcastStrides(sa, shape), b, broadcastStrides(sb, shape), outNative);
      const err = maxRelativeError(outNative, outRef);
      t.true(err <= 4 * tolerance(dtype), `${op} [${sa}] with [${sb}]: ${err}`);
    }
  }
});

parity('binary ops follow Math.max/min for NaN and write in place', ({ t, native, ref, dtype }) => {
  const make = (v: number[]) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  for (const op of ['max', 'min'] as const) {
    const a = make([NaN, 1, 2, NaN]);
    const b = make([1, NaN, 3, NaN]);
    const r = zerosLike(a);
    ref.binary(op, [4], a, [1], b, [1], r);
    native.binary(op, [4], a, [1], b, [1], a);
    t.deepEqual(Array.from(a).map(String), Array.from(r).map(String), op);
  }
});

parity('unary ops, scale and axpy match the reference', ({ t, native, ref, dtype, gen }) => {
  for (const op of UNARY_OPS) {
    const positive = op === 'log' || op === 'sqrt' || op === 'log1p';
    const x = randomArray(gen, dtype, 1013, positive ? 0.01 : -5, 5);
    x[0] = 0;
    x[1] = positive ? 1 : -0;
    const outRef = zerosLike(x);
    const outNative = zerosLike(x);
    ref.unary(op, x, outRef);
    native.unary(op, x, outNative);
    const err = maxRelativeError(outNative, outRef);
    t.true(err <= 4 * tolerance(dtype), `${op}: ${err}`);
  }
  const x = randomArray(gen, dtype, 517);
  const yRef = randomArray(gen, dtype, 517);
  const yNative = yRef.slice();
  ref.axpy(-0.3, x, yRef);
  native.axpy(-0.3, x, yNative);
  t.true(maxRelativeError(yNative, yRef) <= 2 * tolerance(dtype), 'axpy');
  ref.scale(1.7, x, yRef);
  native.scale(1.7, x, yNative);
  t.true(maxRelativeError(yNative, yRef) <= tolerance(dtype), 'scale');
});

parity('copyStrided transposes, slices and broadcasts like the reference', ({ t, native, ref, dtype, gen }) => {
  const src = randomArray(gen, dtype, 2 * 3 * 4 * 5);
  const s = contiguousStrides([2, 3, 4, 5]);
  const cases: [number[], number[]][] = [
    [[5, 4, 3, 2], [s[3], s[2], s[1], s[0]]], // full reversal
    [[2, 4, 3, 5], [s[0], s[2], s[1], s[3]]], // swap middle axes
    [[3, 7, 5], [s[1], 0, s[3]]], // broadcast a new axis
    [[120], [1]], [[], []], [[2, 2], [60, 1]],
  ];
  for (const [shape, strides] of cases) {
    const outRef = zerosLike(src, sizeOf(shape));
    const outNative = zerosLike(src, sizeOf(shape));
    ref.copyStrided(shape, src, strides, outRef);
    native.copyStrided(shape, src, strides, outNative);
    t.deepEqual(Array.from(outNative), Array.from(outRef), `shape [${shape}] strides [${strides}]`);
  }
});

parity('unary ops on NaN, ±0 and ±Infinity match the reference (relu and sign included), and so does the fused relu', ({ t, native, ref, dtype }) => {
  const special = [NaN, -0, 0, Infinity, -Infinity, 1, -1];
  const same = (a: number, b: number) => Object.is(a, b) || (Number.isFinite(a) && Math.abs(a - b) <= 4 * tolerance(dtype) * Math.max(1, Math.abs(b)));
  const x = (dtype === 'float64' ? Float64Array : Float32Array).from(special);
  for (const op of UNARY_OPS) {
    const outRef = zerosLike(x);
    const outNative = zerosLike(x);
    ref.unary(op, x, outRef);
    native.unary(op, x, outNative);
    special.forEach((v, i) => t.true(same(outNative[i], outRef[i]), `${op}(${Object.is(v, -0) ? '-0' : v}): ${outNative[i]} vs ${outRef[i]}`));
  }
  const outRef = zerosLike(x);
  const outNative = zerosLike(x);
  ref.biasActivationForward('relu', 1, special.length, x, null, outRef);
  native.biasActivationForward('relu', 1, special.length, x, null, outNative);
  special.forEach((_, i) => t.true(Object.is(outNative[i], outRef[i]), `fused relu(${special[i]}): ${outNative[i]} vs ${outRef[i]}`));
});
