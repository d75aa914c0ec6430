/**
 * Elementwise kernels: strided binary ops with broadcasting, unary ops,
 * scale, axpy and strided copies.
 *
 * Strided kernels walk the output in row-major order (any rank; the 0-d shape
 * [] has one element) while reading each operand at Σ_d index[d]·strides[d];
 * a stride of 0 repeats (broadcasts) an operand along that dimension. Every
 * value is computed in doubles and rounded once when stored.
 *
 * Semantics at the edges: `max`/`min` are Math.max/Math.min (NaN propagates,
 * max(-0, +0) = +0), `pow` is Math.pow; `sign` is -1/0/1 (±0 gives +0, NaN
 * gives NaN); `relu` propagates NaN and maps -0 to +0; `reluMask` is 0 for
 * NaN; `sigmoid` never overflows (exp of a non-positive argument only).
 */
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type FloatArray, type UnaryOp } from '../backend';
import {
  checkFloatArrays, checkLength, checkNumber, checkOption, checkSameLength, checkShape, checkStrides,
} from '../check';
import { relu } from './activations';

const BINARY: { readonly [K in BinaryOp]: (x: number, y: number) => number } = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  max: Math.max,
  min: Math.min,
  pow: Math.pow,
};

const UNARY: { readonly [K in UnaryOp]: (x: number) => number } = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  tanh: Math.tanh,
  tanhGrad: (x) => 1 - x * x,
  sigmoid: (x) => {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1 + e);
  },
  relu,
  reluMask: (x) => (x > 0 ? 1 : 0),
  log1p: Math.log1p,
};

export function binary(op: BinaryOp, shape: readonly number[], a: FloatArray, aStrides: readonly number[],
                       b: FloatArray, bStrides: readonly number[], out: FloatArray): void {
  const K = 'binary';
  const f = BINARY[checkOption(K, 'op', op, BINARY_OPS)];
  const count = checkShape(K, 'shape', shape);
  checkFloatArrays(K, { a, b, out });
  const detail = (name: string, strides: readonly number[]) => () =>
    `shape [${shape.join(', ')}], ${name} [${strides.join(', ')}]`;
  checkLength(K, 'a', a, checkStrides(K, 'aStrides', aStrides, shape, count), detail('aStrides', aStrides));
  checkLength(K, 'b', b, checkStrides(K, 'bStrides', bStrides, shape, count), detail('bStrides', bStrides));
  checkLength(K, 'out', out, count, () => `shape [${shape.join(', ')}]`);
  if (count === 0) return;

  const rank = shape.length;
  if (rank === 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  // The last dimension is the inner loop; the others advance like an odometer.
  const last = rank - 1, inner = shape[last], sa = aStrides[last], sb = bStrides[last];
  const index = new Array<number>(rank).fill(0);
  let ia = 0, ib = 0;
  for (let o = 0; o < count; o += inner) {
    for (let j = 0, pa = ia, pb = ib; j < inner; j++, pa += sa, pb += sb) out[o + j] = f(a[pa], b[pb]);
    for (let d = last - 1; d >= 0; d--) {
      ia += aStrides[d];
      ib += bStrides[d];
      if (++index[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

export function copyStrided(shape: readonly number[], src: FloatArray, srcStrides: readonly number[],
                            out: FloatArray): void {
  const K = 'copyStrided';
  const count = checkShape(K, 'shape', shape);
  checkFloatArrays(K, { src, out });
  checkLength(K, 'src', src, checkStrides(K, 'srcStrides', srcStrides, shape, count),
              () => `shape [${shape.join(', ')}], srcStrides [${srcStrides.join(', ')}]`);
  checkLength(K, 'out', out, count, () => `shape [${shape.join(', ')}]`);
  if (count === 0) return;

  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[0];
    return;
  }
  const last = rank - 1, inner = shape[last], s = srcStrides[last];
  const index = new Array<number>(rank).fill(0);
  let is = 0;
  for (let o = 0; o < count; o += inner) {
    for (let j = 0, p = is; j < inner; j++, p += s) out[o + j] = src[p];
    for (let d = last - 1; d >= 0; d--) {
      is += srcStrides[d];
      if (++index[d] < shape[d]) break;
      is -= srcStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

export function unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
  const K = 'unary';
  checkOption(K, 'op', op, UNARY_OPS);
  checkFloatArrays(K, { x, out });
  checkSameLength(K, 'out', out, 'x', x);
  const n = x.length;
  // The common ops get loops of their own: calling UNARY[op] per element is a call V8 cannot inline
  // (the call site sees every op), about 10× slower than the loop body.
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); return;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); return;
    case 'square': for (let i = 0; i < n; i++) out[i] = x[i] * x[i]; return;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); return;
    case 'tanhGrad': for (let i = 0; i < n; i++) out[i] = 1 - x[i] * x[i]; return;
    case 'reluMask': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0; return;
    default: {
      const f = UNARY[op];
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    }
  }
}

export function scale(alpha: number, x: FloatArray, out: FloatArray): void {
  const K = 'scale';
  checkNumber(K, 'alpha', alpha);
  checkFloatArrays(K, { x, out });
  checkSameLength(K, 'out', out, 'x', x);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
}

export function axpy(alpha: number, x: FloatArray, y: FloatArray): void {
  const K = 'axpy';
  checkNumber(K, 'alpha', alpha);
  checkFloatArrays(K, { x, y });
  checkSameLength(K, 'y', y, 'x', x);
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}
