/**
 * Malformed calls into every entry point of the native CPU addon must throw a
 * TypeError or RangeError (never crash the process, never write out of
 * bounds). A seeded PRNG builds a valid call per kernel, checks that it
 * succeeds, then corrupts one argument at a time (wrong types, missing or
 * extra arguments, bad sizes, short arrays, lda < k, mismatched dtypes,
 * out-of-range labels, gather/scatter indices and enum indices, negative
 * strides, overlapping outputs, ...) and asserts the error class and that the
 * message names the kernel.
 */
import type { ExecutionContext } from 'ava';
import { cpuAddonTest } from '../helpers/backends';

import type { CpuAddon } from '../../src/backend/cpu';
import { UNARY_OPS } from '../../src/backend/backend';

function withAddon(title: string, body: (t: ExecutionContext, value: CpuAddon) => void): void {
  cpuAddonTest(title, (t, load) => body(t, load.addon));
}

// ---- seeded PRNG ----------------------------------------------------------

class Rng {
  constructor(private state: number) {}
  /** mulberry32 */
  next(): number {
    let z = (this.state = (this.state + 0x6d2b79f5) | 0);
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  bool(p = 0.5): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
}

// ---- calls and what may be corrupted in them --------------------------------

type Float = Float32Array | Float64Array;
type ErrorClass = typeof TypeError | typeof RangeError;

type Kind =
  | { k: 'bool' }
  | { k: 'size'; grow: boolean; zeroBad?: boolean }
  | { k: 'ld'; min: number }
  | { k: 'number' }
  | { k: 'eps' }
  | { k: 'enum'; count: number }
  | { k: 'float'; need: number; nullable?: boolean; exact?: boolean; sole?: boolean; lengthFree?: boolean }
  | { k: 'int32'; need: number; nullable?: boolean; labelsC?: number }
  | { k: 'float64'; need: number }
  | { k: 'shape'; dims: number[] }
  | { k: 'strides'; shape: number[] };

interface Special { what: string; expect: ErrorClass; args: unknown[] }

interface Call {
  name: keyof CpuAddon;
  args: unknown[];
  kinds: Kind[];
  specials?: Special[];
}

interface Corruption { what: string; value: unknown; expect: ErrorClass }

const T = TypeError;
const R = RangeError;

const notNumbers: [string, unknown][] = [
  ['a string', '3'], ['null', null], ['undefined', undefined], ['a boolean', true], ['an object', {}],
  ['an array', [3]], ['a bigint', 3n], ['a symbol', Symbol('x')], ['a function', () => 3],
];
const badSizes: [string, number][] = [
  ['-1', -1], ['-0.5', -0.5], ['2.5', 2.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
  ['1e20', 1e20], ['2^31', 2 ** 31], ['2^53', 2 ** 53], ['MAX_VALUE', Number.MAX_VALUE], ['-1e-300', -1e-300],
];

function typeCorruptions(list: [string, unknown][]): Corruption[] {
  return list.map(([what, value]) => ({ what, value, expect: T }));
}

function makeFloat(dtype: 'f32' | 'f64', n: number, rng: Rng): Float {
  const a = dtype === 'f32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 4 - 2;
  return a;
}

function other(dtype: 'f32' | 'f64'): 'f32' | 'f64' { return dtype === 'f32' ? 'f64' : 'f32'; }

function corruptionsFor(kind: Kind, value: unknown, dtype: 'f32' | 'f64', rng: Rng): Corruption[] {
  switch (kind.k) {
    case 'bool':
      return typeCorruptions([['1', 1], ['0', 0], ["'true'", 'true'], ['null', null], ['undefined', undefined], ['{}', {}]]);
    case 'number':
      return typeCorruptions(notNumbers);
    case 'eps':
      return [...typeCorruptions(notNumbers),
        ...[-1, NaN, Infinity, -Infinity, -1e-9].map((v) => ({ what: String(v), value: v, expect: R }))];
    case 'enum':
      return [...typeCorruptions([["'relu'", 'relu'], ['null', null], ['undefined', undefined], ['true', true], ['1n', 1n]]),
        ...[-1, kind.count, kind.count + 5, 0.5, NaN, Infinity, 2 ** 31, -0.25].map((v) => ({ what: String(v), value: v, expect: R }))];
    case 'size':
    case 'ld': {
      const list: Corruption[] = [...typeCorruptions(notNumbers),
        ...badSizes.map(([what, v]) => ({ what, value: v, expect: R }))];
      if (kind.k === 'size' && kind.grow) {
        const v = value as number;
        list.push({ what: 'grown', value: v * 1000 + 7, expect: R }, { what: '2^31-1', value: 2 ** 31 - 1, expect: R });
      }
      if (kind.k === 'size' && kind.zeroBad) list.push({ what: '0', value: 0, expect: R });
      if (kind.k === 'ld' && kind.min >= 1) list.push({ what: `ld=${kind.min - 1} < ${kind.min}`, value: kind.min - 1, expect: R });
      return list;
    }
    case 'float': {
      const need = kind.need;
      const list: Corruption[] = [
        { what: 'Int32Array', value: new Int32Array(need), expect: T },
        { what: 'Uint8Array', value: new Uint8Array(need), expect: T },
        { what: 'BigInt64Array', value: new BigInt64Array(need), expect: T },
        { what: 'plain Array', value: Array.from({ length: need }, () => 0), expect: T },
        { what: 'ArrayBuffer', value: new ArrayBuffer(need * 8), expect: T },
        { what: 'DataView', value: new DataView(new ArrayBuffer(need * 8)), expect: T },
        { what: 'string', value: '1,2,3', expect: T },
        { what: 'number', value: 42, expect: T },
        { what: 'object', value: { length: need }, expect: T },
      ];
      if (!kind.sole) list.push({ what: 'mismatched dtype', value: makeFloat(other(dtype), need, rng), expect: T });
      if (!kind.nullable) list.push({ what: 'null', value: null, expect: T }, { what: 'undefined', value: undefined, expect: T });
      if (!kind.lengthFree && need >= 1) {
        list.push({ what: 'one element short', value: makeFloat(dtype, need - 1, rng), expect: R },
          { what: 'empty', value: makeFloat(dtype, 0, rng), expect: R });
        const big = makeFloat(dtype, need + 8, rng);
        list.push({ what: 'short subarray at an offset', value: big.subarray(9), expect: R });
      }
      if (kind.exact) list.push({ what: 'one element long', value: makeFloat(dtype, need + 1, rng), expect: R });
      return list;
    }
    case 'int32': {
      const need = kind.need;
      const list: Corruption[] = [
        { what: 'Float32Array', value: new Float32Array(need), expect: T },
        { what: 'Float64Array', value: new Float64Array(need), expect: T },
        { what: 'Uint32Array', value: new Uint32Array(need), expect: T },
        { what: 'plain Array', value: Array.from({ length: need }, () => 0), expect: T },
        { what: 'string', value: '0', expect: T },
      ];
      if (!kind.nullable) list.push({ what: 'null', value: null, expect: T }, { what: 'undefined', value: undefined, expect: T });
      if (need >= 1) list.push({ what: 'one element short', value: new Int32Array(need - 1), expect: R });
      if (kind.labelsC !== undefined && need >= 1) {
        for (const bad of [-1, kind.labelsC, kind.labelsC + 100, 2 ** 31 - 1, -(2 ** 31)]) {
          const labels = Int32Array.from(value as Int32Array);
          labels[rng.int(0, need - 1)] = bad;
          list.push({ what: `label ${bad}`, value: labels, expect: R });
        }
      }
      return list;
    }
    case 'float64':
      return [
        { what: 'Float32Array', value: new Float32Array(kind.need), expect: T },
        { what: 'Int32Array', value: new Int32Array(kind.need), expect: T },
        { what: 'null', value: null, expect: T },
        { what: 'one element short', value: new Float64Array(Math.max(0, kind.need - 1)), expect: R },
      ];
    case 'shape': {
      const dims = kind.dims;
      const list: Corruption[] = [
        ...typeCorruptions([['a string', dims.join(',')], ['an Int32Array', Int32Array.from(dims)], ['null', null],
          ['undefined', undefined], ['a number', 5], ['an array-like', { length: dims.length, 0: 1 }]]),
        { what: '33 dimensions', value: new Array(33).fill(1), expect: R },
        { what: 'an extra dimension', value: [...dims, 2], expect: R },
      ];
      if (dims.length > 0) {
        const d = rng.int(0, dims.length - 1);
        const set = (v: unknown) => dims.map((x, i) => (i === d ? v : x));
        list.push({ what: "an element '2'", value: set('2'), expect: T }, { what: 'an element null', value: set(null), expect: T },
          { what: 'a negative element', value: set(-1), expect: R }, { what: 'a fractional element', value: set(1.5), expect: R },
          { what: 'a NaN element', value: set(NaN), expect: R }, { what: 'a 2^31 element', value: set(2 ** 31), expect: R },
          { what: 'a grown element', value: set(dims[d] * 7 + 3), expect: R },
          { what: 'a missing dimension', value: dims.slice(1), expect: R });
      }
      return list;
    }
    case 'strides': {
      const strides = value as number[];
      const shape = kind.shape;
      const list: Corruption[] = [
        ...typeCorruptions([['a string', strides.join(',')], ['a Float64Array', Float64Array.from(strides)],
          ['null', null], ['undefined', undefined]]),
        { what: 'an extra entry', value: [...strides, 1], expect: R },
      ];
      if (strides.length > 0) {
        const d = rng.int(0, strides.length - 1);
        const set = (v: unknown) => strides.map((x, i) => (i === d ? v : x));
        list.push({ what: "an element 'x'", value: set('x'), expect: T },
          { what: 'a negative stride', value: set(-1), expect: R }, { what: 'a negative stride -3', value: set(-3), expect: R },
          { what: 'a fractional stride', value: set(0.5), expect: R }, { what: 'a NaN stride', value: set(NaN), expect: R },
          { what: 'a 2^53 stride', value: set(2 ** 53), expect: R }, { what: 'a missing entry', value: strides.slice(1), expect: R });
        const wide = shape.findIndex((s) => s >= 2);
        if (wide >= 0) {
          list.push({ what: 'a stride past the end', value: strides.map((x, i) => (i === wide ? 1e6 : x)), expect: R });
        }
      }
      return list;
    }
  }
}

// ---- valid calls per kernel -------------------------------------------------

type Maker = (rng: Rng, dtype: 'f32' | 'f64') => Call;

const size = (grow = true, zeroBad = false): Kind => ({ k: 'size', grow, zeroBad });
const float = (need: number, extra: Partial<Extract<Kind, { k: 'float' }>> = {}): Kind => ({ k: 'float', need, ...extra });

function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

function contiguous(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
  return strides;
}

/** Strides reading a broadcast (some dims of size 1 → stride 0) or, sometimes, transposed operand; returns its length too. */
function operandLayout(rng: Rng, shape: number[]): { strides: number[]; length: number } {
  const own = shape.map((s) => (rng.bool(0.3) ? 1 : s));
  let strides = contiguous(own).map((s, d) => (own[d] === 1 ? 0 : s));
  if (rng.bool(0.25) && shape.length >= 2 && own.every((s, d) => s === shape[d])) {
    // transposed: the last two dims swapped in memory
    const r = shape.length;
    const perm = [...shape.slice(0, r - 2), shape[r - 1], shape[r - 2]];
    const ps = contiguous(perm);
    strides = [...ps.slice(0, r - 2), ps[r - 1], ps[r - 2]];
  }
  let length = 1;
  for (let d = 0; d < shape.length; d++) length += (shape[d] - 1) * strides[d];
  return { strides, length };
}

const makers: Record<Exclude<keyof CpuAddon, 'info'>, Maker> = {
  gemm(rng, dt) {
    const ta = rng.bool(), tb = rng.bool();
    const m = rng.int(1, 6), n = rng.int(1, 6), k = rng.int(1, 6);
    const aCols = ta ? m : k, bCols = tb ? k : n;
    const lda = aCols + rng.int(0, 2), ldb = bCols + rng.int(0, 2), ldc = n + rng.int(0, 2);
    const aLen = span(ta ? k : m, aCols, lda), bLen = span(tb ? n : k, bCols, ldb), cLen = span(m, n, ldc);
    const a = makeFloat(dt, aLen, rng), b = makeFloat(dt, bLen, rng), c = makeFloat(dt, cLen, rng);
    const beta = rng.bool() ? 0 : rng.next();
    const args = [ta, tb, m, n, k, rng.next(), a, lda, b, ldb, beta, c, ldc];
    return {
      name: 'gemm', args,
      kinds: [{ k: 'bool' }, { k: 'bool' }, size(), size(), size(), { k: 'number' }, float(aLen), { k: 'ld', min: aCols },
        float(bLen), { k: 'ld', min: bCols }, { k: 'number' }, float(cLen), { k: 'ld', min: n }],
      specials: [{ what: 'c is a', expect: R, args: [ta, tb, m, n, k, 1, a, lda, b, ldb, 0, a, ldc] },
        { what: 'c is b', expect: R, args: [ta, tb, m, n, k, 1, a, lda, b, ldb, 0, b, ldc] }],
    };
  },
  biasActivationForward(rng, dt) {
    const m = rng.int(1, 5), n = rng.int(1, 7);
    const bias = rng.bool() ? makeFloat(dt, n, rng) : rng.pick([null, undefined]);
    const x = makeFloat(dt, m * n, rng);
    return {
      name: 'biasActivationForward', args: [rng.int(0, 2), m, n, x, bias, rng.bool() ? x : makeFloat(dt, m * n, rng)],
      kinds: [{ k: 'enum', count: 3 }, size(), size(), float(m * n), float(n, { nullable: true }), float(m * n)],
      // (with one element, x and out shifted by one no longer overlap)
      specials: m * n >= 2 ? [{ what: 'out overlaps x shifted by one', expect: R, args: (() => {
        const buf = makeFloat(dt, m * n + 1, rng);
        return [0, m, n, buf.subarray(0, m * n), null, buf.subarray(1)];
      })() }] : [],
    };
  },
  biasActivationBackward(rng, dt) {
    const m = rng.int(1, 5), n = rng.int(1, 7);
    const dBias = rng.bool() ? makeFloat(dt, n, rng) : null;
    return {
      name: 'biasActivationBackward',
      args: [rng.int(0, 2), m, n, makeFloat(dt, m * n, rng), makeFloat(dt, m * n, rng), makeFloat(dt, m * n, rng), dBias],
      kinds: [{ k: 'enum', count: 3 }, size(), size(), float(m * n), float(m * n), float(m * n), float(n, { nullable: true })],
    };
  },
  layerNormForward(rng, dt) {
    const m = rng.int(1, 4), n = rng.int(1, 9);
    const residual = rng.bool() ? makeFloat(dt, m * n, rng) : null;
    const x = makeFloat(dt, m * n, rng);
    const args = [m, n, x, residual, makeFloat(dt, n, rng), makeFloat(dt, n, rng), 1e-5, rng.int(0, 1),
      makeFloat(dt, m * n, rng), makeFloat(dt, m, rng), makeFloat(dt, m, rng)];
    const overlapping = x.subarray(1);
    return {
      name: 'layerNormForward', args,
      kinds: [size(), size(), float(m * n), float(m * n, { nullable: true }), float(n), float(n), { k: 'eps' },
        { k: 'enum', count: 2 }, float(m * n), float(m), float(m)],
      specials: [
        { what: 'act tanh (index 2)', expect: R, args: args.map((v, i) => (i === 7 ? 2 : v)) },
        { what: 'mean inside x', expect: R, args: args.map((v, i) => (i === 9 ? overlapping : v)) },
      ],
    };
  },
  layerNormBackward(rng, dt) {
    const m = rng.int(1, 4), n = rng.int(1, 9);
    const act = rng.int(0, 1);
    const residual = rng.bool() ? makeFloat(dt, m * n, rng) : null;
    const out = act === 1 || rng.bool() ? makeFloat(dt, m * n, rng) : null;
    const dGamma = rng.bool() ? makeFloat(dt, n, rng) : null;
    const dBeta = rng.bool() ? makeFloat(dt, n, rng) : undefined;
    const args = [m, n, makeFloat(dt, m * n, rng), makeFloat(dt, m * n, rng), residual, makeFloat(dt, m, rng),
      makeFloat(dt, m, rng), makeFloat(dt, n, rng), act, out, makeFloat(dt, m * n, rng), dGamma, dBeta];
    return {
      name: 'layerNormBackward', args,
      kinds: [size(), size(), float(m * n), float(m * n), float(m * n, { nullable: true }), float(m), float(m), float(n),
        { k: 'enum', count: 2 }, float(m * n, { nullable: act === 0, lengthFree: act === 0 }), float(m * n),
        float(n, { nullable: true }), float(n, { nullable: true })],
      specials: [{ what: 'relu with out null', expect: T, args: args.map((v, i) => (i === 8 ? 1 : i === 9 ? null : v)) }],
    };
  },
  logSoftmaxNllForward(rng, dt) {
    const m = rng.int(1, 6), c = rng.int(1, 8);
    const labels = Int32Array.from({ length: m }, () => rng.int(0, c - 1));
    const argmax = rng.bool() ? new Int32Array(m) : null;
    return {
      name: 'logSoftmaxNllForward', args: [m, c, makeFloat(dt, m * c, rng), labels, makeFloat(dt, m * c, rng), argmax],
      kinds: [size(), size(), float(m * c), { k: 'int32', need: m, labelsC: c }, float(m * c), { k: 'int32', need: m, nullable: true }],
    };
  },
  logSoftmaxNllBackward(rng, dt) {
    const m = rng.int(1, 6), c = rng.int(1, 8);
    const labels = Int32Array.from({ length: m }, () => rng.int(0, c - 1));
    return {
      name: 'logSoftmaxNllBackward', args: [m, c, makeFloat(dt, m * c, rng), labels, rng.next(), makeFloat(dt, m * c, rng)],
      kinds: [size(), size(), float(m * c), { k: 'int32', need: m, labelsC: c }, { k: 'number' }, float(m * c)],
    };
  },
  im2col: (rng, dt) => convCall('im2col', rng, dt),
  col2im: (rng, dt) => convCall('col2im', rng, dt),
  conv2dForward: (rng, dt) => fusedConvCall('conv2dForward', rng, dt),
  conv2dBackward: (rng, dt) => fusedConvCall('conv2dBackward', rng, dt),
  adamStep(rng, dt) {
    const n = rng.int(1, 9);
    const shared = makeFloat(dt, 2 * n, rng);
    const scalars = [rng.int(1, 50), rng.next() * 0.1, 0.9, 0.999, 1e-8];
    return {
      name: 'adamStep', args: [...scalars, makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng)],
      kinds: [size(false, true), { k: 'eps' }, { k: 'number' }, { k: 'number' }, { k: 'eps' }, float(n, { exact: true }), float(n, { exact: true }), float(n, { exact: true }), float(n, { exact: true })],
      specials: [
        { what: 'beta1 = 1', expect: R, args: [1, 0.1, 1, 0.999, 1e-8, makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng)] },
        { what: 'beta2 = NaN', expect: R, args: [1, 0.1, 0.9, NaN, 1e-8, makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng), makeFloat(dt, n, rng)] },
        { what: 'm overlaps v', expect: R, args: [1, 0.1, 0.9, 0.999, 1e-8, makeFloat(dt, n, rng), makeFloat(dt, n, rng), shared.subarray(0, n), shared.subarray(n - 1, 2 * n - 1)] },
      ],
    };
  },
  svcSolve(rng, dt) {
    const k = rng.int(2, 3), d = rng.int(1, 4);
    const counts = Int32Array.from({ length: k }, () => rng.int(1, 4));
    const n = counts.reduce((a, b) => a + b, 0), pairs = (k * (k - 1)) / 2;
    const call = (x: Float, kernel: number, C: number) => [n, d, x, Int32Array.from(counts), kernel, 3, 0.5, 0.1, C, 1e-3, true, 1, 0,
      new Float64Array((k - 1) * n), new Float64Array(pairs), new Int32Array(pairs)];
    const nan = makeFloat(dt, n * d, rng);
    nan[rng.int(0, n * d - 1)] = NaN;
    return {
      name: 'svcSolve', args: call(makeFloat(dt, n * d, rng), rng.int(0, 3), 1),
      kinds: [size(), size(), float(n * d, { sole: true }), { k: 'int32', need: k }, { k: 'enum', count: 4 }, size(false),
        { k: 'number' }, { k: 'number' }, { k: 'eps' }, { k: 'eps' }, { k: 'bool' }, { k: 'eps' }, size(false),
        { k: 'float64', need: (k - 1) * n }, { k: 'float64', need: pairs }, { k: 'int32', need: pairs }],
      specials: [
        { what: 'NaN in x', expect: R, args: call(nan, 2, 1) },
        { what: 'C = 0', expect: R, args: call(makeFloat(dt, n * d, rng), 2, 0) },
        { what: 'a class with no samples', expect: R, args: call(makeFloat(dt, n * d, rng), 2, 1).map((a, i) => (i === 3 ? Int32Array.from([...counts, 0]) : a)) },
      ],
    };
  },
  conv2dPoolForward: (rng, dt) => pooledConvCall('conv2dPoolForward', rng, dt),
  conv2dPoolBackward: (rng, dt) => pooledConvCall('conv2dPoolBackward', rng, dt),
  maxPool2d(rng, dt) {
    const batch = rng.int(1, 2), channels = rng.int(1, 3), height = rng.int(1, 5), width = rng.int(1, 5);
    const kernelH = rng.int(1, height), kernelW = rng.int(1, width), strideH = rng.int(1, 3), strideW = rng.int(1, 3);
    const outLen = batch * channels * (Math.floor((height - kernelH) / strideH) + 1) * (Math.floor((width - kernelW) / strideW) + 1);
    const xLen = batch * channels * height * width;
    const shared = makeFloat(dt, xLen + outLen, rng);
    return {
      name: 'maxPool2d',
      args: [batch, channels, height, width, kernelH, kernelW, strideH, strideW, 0, 0, makeFloat(dt, xLen, rng), makeFloat(dt, outLen, rng), new Int32Array(outLen)],
      kinds: [size(), size(), size(), size(), size(true, true), size(true, true), size(false, true), size(false, true), size(true), size(true),
        float(xLen), float(outLen), { k: 'int32', need: outLen }],
      specials: [
        { what: 'padding', expect: R, args: [batch, channels, height, width, kernelH, kernelW, strideH, strideW, 1, 0, makeFloat(dt, xLen, rng), makeFloat(dt, outLen, rng), new Int32Array(outLen)] },
        { what: 'out overlaps x', expect: R, args: [batch, channels, height, width, kernelH, kernelW, strideH, strideW, 0, 0, shared.subarray(0, xLen), shared.subarray(xLen - 1, xLen - 1 + outLen), new Int32Array(outLen)] },
      ],
    };
  },
  binary(rng, dt) {
    const rank = rng.int(0, 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, 4));
    const a = operandLayout(rng, shape), b = operandLayout(rng, shape);
    const total = shape.reduce((p, s) => p * s, 1);
    const aArr = makeFloat(dt, a.length, rng);
    const out = makeFloat(dt, total, rng);
    const specials: Special[] = [];
    if (rank === 2 && shape[0] >= 2 && shape[1] >= 2) {
      // out is a itself, but a is read transposed: not allowed.
      const sq = [shape[0], shape[0]];
      const buf = makeFloat(dt, shape[0] * shape[0], rng);
      specials.push({ what: 'out aliases a transposed', expect: R, args: [0, sq, buf, [1, shape[0]], buf, [shape[0], 1], buf] });
    }
    return {
      name: 'binary', args: [rng.int(0, 6), shape, aArr, a.strides, makeFloat(dt, b.length, rng), b.strides, out],
      kinds: [{ k: 'enum', count: 7 }, { k: 'shape', dims: shape }, float(a.length), { k: 'strides', shape },
        float(b.length), { k: 'strides', shape }, float(total)],
      specials,
    };
  },
  unary(rng, dt) {
    const n = rng.int(1, 20);
    const x = makeFloat(dt, n, rng);
    return {
      name: 'unary', args: [rng.int(0, UNARY_OPS.length - 1), x, rng.bool() ? x : makeFloat(dt, n, rng)],
      kinds: [{ k: 'enum', count: UNARY_OPS.length }, float(n, { exact: true }), float(n, { exact: true })],
      // x[1..n) and x[0..n-1) overlap only when n ≥ 3 (for n = 2 they are the disjoint [x1] and [x0]).
      specials: n >= 3 ? [{ what: 'out overlaps x shifted', expect: R, args: [0, x.subarray(1), x.subarray(0, n - 1)] }] : [],
    };
  },
  scale(rng, dt) {
    const n = rng.int(1, 20);
    return {
      name: 'scale', args: [rng.next(), makeFloat(dt, n, rng), makeFloat(dt, n, rng)],
      kinds: [{ k: 'number' }, float(n, { exact: true }), float(n, { exact: true })],
    };
  },
  axpy(rng, dt) {
    const n = rng.int(1, 20);
    return {
      name: 'axpy', args: [rng.next(), makeFloat(dt, n, rng), makeFloat(dt, n, rng)],
      kinds: [{ k: 'number' }, float(n, { exact: true }), float(n, { exact: true })],
    };
  },
  copyStrided(rng, dt) {
    const rank = rng.int(0, 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, 4));
    const src = operandLayout(rng, shape);
    const total = shape.reduce((p, s) => p * s, 1);
    return {
      name: 'copyStrided', args: [shape, makeFloat(dt, src.length, rng), src.strides, makeFloat(dt, total, rng)],
      kinds: [{ k: 'shape', dims: shape }, float(src.length), { k: 'strides', shape }, float(total)],
    };
  },
  reduce(rng, dt) {
    const outer = rng.int(1, 4), n = rng.int(1, 5), inner = rng.int(1, 4);
    return {
      name: 'reduce', args: [rng.int(0, 2), outer, n, inner, makeFloat(dt, outer * n * inner, rng), makeFloat(dt, outer * inner, rng)],
      kinds: [{ k: 'enum', count: 3 }, size(), size(), size(), float(outer * n * inner), float(outer * inner)],
    };
  },
  argmax(rng, dt) {
    const outer = rng.int(1, 4), n = rng.int(1, 5), inner = rng.int(1, 4);
    return {
      name: 'argmax', args: [outer, n, inner, makeFloat(dt, outer * n * inner, rng), new Int32Array(outer * inner)],
      kinds: [size(), size(true, true), size(), float(outer * n * inner, { sole: true }), { k: 'int32', need: outer * inner }],
    };
  },
  gather: (rng, dt) => indexCall('gather', rng, dt),
  scatterAdd: (rng, dt) => indexCall('scatterAdd', rng, dt),
  symEig(rng, dt) {
    const n = rng.int(1, 5);
    const a = makeFloat(dt, n * n, rng);
    const bad = Float64Array.from(a);
    bad[n * n - 1] = rng.pick([NaN, Infinity, -Infinity]);
    return {
      name: 'symEig', args: [n, a, makeFloat(dt, n, rng), makeFloat(dt, n * n, rng)],
      kinds: [size(), float(n * n), float(n), float(n * n)],
      specials: [{ what: 'non-finite diagonal', expect: R,
        args: [n, dt === 'f32' ? Float32Array.from(bad) : bad, makeFloat(dt, n, rng), makeFloat(dt, n * n, rng)] }],
    };
  },
  svd(rng, dt) {
    const m = rng.int(1, 5), n = rng.int(1, 5), k = Math.min(m, n);
    const a = makeFloat(dt, m * n, rng);
    const bad = dt === 'f32' ? Float32Array.from(a) : Float64Array.from(a);
    bad[rng.int(0, m * n - 1)] = NaN;
    return {
      name: 'svd', args: [m, n, a, makeFloat(dt, m * k, rng), makeFloat(dt, k, rng), makeFloat(dt, k * n, rng)],
      kinds: [size(), size(), float(m * n), float(m * k), float(k), float(k * n)],
      specials: [{ what: 'NaN in a', expect: R, args: [m, n, bad, makeFloat(dt, m * k, rng), makeFloat(dt, k, rng), makeFloat(dt, k * n, rng)] }],
    };
  },
  solve(rng, dt) {
    const n = rng.int(1, 5), nrhs = rng.int(0, 3);
    const a = makeFloat(dt, n * n, rng), b = makeFloat(dt, n * nrhs + 1, rng).subarray(0, n * nrhs);
    const bad = dt === 'f32' ? Float32Array.from(a) : Float64Array.from(a);
    bad[rng.int(0, n * n - 1)] = rng.pick([NaN, Infinity, -Infinity]);
    const badB = makeFloat(dt, n, rng);
    badB[rng.int(0, n - 1)] = NaN;
    return {
      name: 'solve', args: [n, nrhs, a, b, makeFloat(dt, n * nrhs, rng)],
      kinds: [size(), size(), float(n * n), float(n * nrhs), float(n * nrhs)],
      specials: [{ what: 'non-finite a', expect: R, args: [n, nrhs, bad, b, makeFloat(dt, n * nrhs, rng)] },
        { what: 'NaN in b', expect: R, args: [n, 1, a, badB, makeFloat(dt, n, rng)] }],
    };
  },
  lstsq(rng, dt) {
    const m = rng.int(1, 6), n = rng.int(1, 6), nrhs = rng.int(1, 3), k = Math.min(m, n);
    const a = makeFloat(dt, m * n, rng), b = makeFloat(dt, m * nrhs, rng);
    const s = rng.bool() ? makeFloat(dt, k, rng) : null;
    const badB = dt === 'f32' ? Float32Array.from(b) : Float64Array.from(b);
    badB[rng.int(0, m * nrhs - 1)] = rng.pick([NaN, Infinity]);
    const shared = makeFloat(dt, n * nrhs + k, rng);
    return {
      name: 'lstsq', args: [m, n, nrhs, a, b, makeFloat(dt, n * nrhs, rng), s],
      kinds: [size(), size(), size(), float(m * n), float(m * nrhs), float(n * nrhs), float(k, { nullable: true })],
      specials: [{ what: 'non-finite b', expect: R, args: [m, n, nrhs, a, badB, makeFloat(dt, n * nrhs, rng), null] },
        { what: 's overlaps x', expect: R, args: [m, n, nrhs, a, b, shared.subarray(0, n * nrhs), shared.subarray(n * nrhs - 1)] }],
    };
  },
};

function convCall(name: 'im2col' | 'col2im', rng: Rng, dt: 'f32' | 'f64'): Call {
  const batch = rng.int(1, 2), channels = rng.int(1, 3), height = rng.int(1, 5), width = rng.int(1, 5);
  const padH = rng.int(0, 2), padW = rng.int(0, 2);
  const kernelH = rng.int(1, Math.min(3, height + 2 * padH)), kernelW = rng.int(1, Math.min(3, width + 2 * padW));
  const strideH = rng.int(1, 3), strideW = rng.int(1, 3);
  const outH = Math.floor((height + 2 * padH - kernelH) / strideH) + 1;
  const outW = Math.floor((width + 2 * padW - kernelW) / strideW) + 1;
  const imageLen = batch * channels * height * width;
  const colLen = batch * channels * kernelH * kernelW * outH * outW;
  const geometry = [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW];
  const images = makeFloat(dt, imageLen, rng), cols = makeFloat(dt, colLen, rng);
  const geometryKinds: Kind[] = [size(), size(), size(), size(), size(true, true), size(true, true),
    size(false, true), size(false, true), size(), size()];
  return name === 'im2col'
    ? { name, args: [...geometry, images, cols], kinds: [...geometryKinds, float(imageLen), float(colLen)] }
    : { name, args: [...geometry, cols, images], kinds: [...geometryKinds, float(colLen), float(imageLen)] };
}

/** conv2dForward(geometry, outChannels, act, x, weight, bias, out) / conv2dBackward(geometry, outChannels, act, x, dOut, out, weight, dX, dWeight, dBias). */
function fusedConvCall(name: 'conv2dForward' | 'conv2dBackward', rng: Rng, dt: 'f32' | 'f64'): Call {
  const base = convCall('im2col', rng, dt);
  const [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW] = base.args as number[];
  const O = rng.int(1, 4), act = rng.int(0, 2);
  const outLen = batch * O * (Math.floor((height + 2 * padH - kernelH) / strideH) + 1) * (Math.floor((width + 2 * padW - kernelW) / strideW) + 1);
  const xLen = batch * channels * height * width, wLen = O * channels * kernelH * kernelW;
  const head = [...base.args.slice(0, 10), O, act];
  const headKinds: Kind[] = [...base.kinds.slice(0, 10), size(), { k: 'enum', count: 3 }];
  const x = makeFloat(dt, xLen, rng), w = makeFloat(dt, wLen, rng);
  if (name === 'conv2dForward') {
    const shared = makeFloat(dt, xLen + outLen, rng);
    return {
      name, args: [...head, x, w, makeFloat(dt, O, rng), makeFloat(dt, outLen, rng)],
      kinds: [...headKinds, float(xLen), float(wLen), float(O, { nullable: true }), float(outLen)],
      specials: [{ what: 'out overlaps x', expect: R, args: [...head, shared.subarray(0, xLen), w, null, shared.subarray(xLen - 1)] }],
    };
  }
  const shared = makeFloat(dt, xLen + wLen, rng);
  return {
    name, args: [...head, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), w, makeFloat(dt, xLen, rng), makeFloat(dt, wLen, rng), makeFloat(dt, O, rng)],
    kinds: [...headKinds, float(xLen), float(outLen), float(outLen), float(wLen),
      float(xLen, { nullable: true }), float(wLen, { nullable: true }), float(O, { nullable: true })],
    specials: [
      { what: 'dX overlaps dWeight', expect: R, args: [...head, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), w, shared.subarray(0, xLen), shared.subarray(xLen - 1), null] },
      { what: 'dWeight is the weight', expect: R, args: [...head, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), w, null, w, null] },
    ],
  };
}

/**
 * conv2dPoolForward(geometry, outChannels, act, pool kernel and stride, x, weight, bias, pooled, argmax) /
 * conv2dPoolBackward(geometry, outChannels, act, pool…, x, dPooled, pooled, argmax, weight, dX, dWeight, dBias):
 * a 1×1 pooling window, so each argmax is its own position (valid whatever the data).
 */
function pooledConvCall(name: 'conv2dPoolForward' | 'conv2dPoolBackward', rng: Rng, dt: 'f32' | 'f64'): Call {
  const base = convCall('im2col', rng, dt);
  const [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW] = base.args as number[];
  const O = rng.int(1, 3), act = rng.int(0, 2);
  const outLen = batch * O * (Math.floor((height + 2 * padH - kernelH) / strideH) + 1) * (Math.floor((width + 2 * padW - kernelW) / strideW) + 1);
  const xLen = batch * channels * height * width, wLen = O * channels * kernelH * kernelW;
  const head = [...base.args.slice(0, 10), O, act, 1, 1, 1, 1];
  const headKinds: Kind[] = [...base.kinds.slice(0, 10), size(), { k: 'enum', count: 3 }, size(true, true), size(true, true), size(false, true), size(false, true)];
  const x = makeFloat(dt, xLen, rng), w = makeFloat(dt, wLen, rng);
  const argmax = Int32Array.from({ length: outLen }, (_, i) => i);
  if (name === 'conv2dPoolForward') {
    return {
      name, args: [...head, x, w, makeFloat(dt, O, rng), makeFloat(dt, outLen, rng), new Int32Array(outLen)],
      kinds: [...headKinds, float(xLen), float(wLen), float(O, { nullable: true }), float(outLen), { k: 'int32', need: outLen }],
    };
  }
  const bad = Int32Array.from(argmax);
  bad[outLen - 1] = outLen;
  const tail = [w, makeFloat(dt, xLen, rng), makeFloat(dt, wLen, rng), makeFloat(dt, O, rng)];
  return {
    name, args: [...head, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), argmax, ...tail],
    kinds: [...headKinds, float(xLen), float(outLen), float(outLen), { k: 'int32', need: outLen }, float(wLen),
      float(xLen, { nullable: true }), float(wLen, { nullable: true }), float(O, { nullable: true })],
    specials: [
      { what: 'an argmax outside its image', expect: R, args: [...head, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), bad, ...tail] },
      { what: 'a pooling window larger than the output', expect: R, args: [...base.args.slice(0, 10), O, act, 1000, 1, 1, 1, x, makeFloat(dt, outLen, rng), makeFloat(dt, outLen, rng), argmax, ...tail] },
    ],
  };
}

/**
 * gather(src, index, out) / scatterAdd(src, index, out): `bound` is the length
 * indices point into (src for gather, out for scatterAdd) and the index always
 * holds bound - 1, so a shorter array there is an out-of-range index.
 */
function indexCall(name: 'gather' | 'scatterAdd', rng: Rng, dt: 'f32' | 'f64'): Call {
  const bound = rng.int(1, 8), m = rng.int(1, 10);
  const index = Int32Array.from({ length: m }, () => rng.int(0, bound - 1));
  index[rng.int(0, m - 1)] = bound - 1;
  const indexKind: Kind = { k: 'int32', need: m, labelsC: bound };
  // out in the same memory as src, and as the index (read as floats).
  const shared = makeFloat(dt, Math.max(bound, m), rng);
  const buffer = new ArrayBuffer(Math.max(bound, m) * 8);
  const sharedIndex = new Int32Array(buffer, 0, m);
  sharedIndex.set(index);
  const overIndex = (length: number) => (dt === 'f32' ? new Float32Array(buffer, 0, length) : new Float64Array(buffer, 0, length));
  if (name === 'gather') {
    return {
      name, args: [makeFloat(dt, bound, rng), index, makeFloat(dt, m, rng)],
      kinds: [float(bound), indexKind, float(m, { exact: true })],
      specials: [{ what: 'out overlaps src', expect: R, args: [shared.subarray(0, bound), index, shared.subarray(0, m)] },
        { what: 'out overlaps index', expect: R, args: [makeFloat(dt, bound, rng), sharedIndex, overIndex(m)] }],
    };
  }
  return {
    name, args: [makeFloat(dt, m, rng), index, makeFloat(dt, bound, rng)],
    kinds: [float(m, { exact: true }), indexKind, float(bound)],
    specials: [{ what: 'out overlaps src', expect: R, args: [shared.subarray(0, m), index, shared.subarray(0, bound)] },
      { what: 'out overlaps index', expect: R, args: [makeFloat(dt, m, rng), sharedIndex, overIndex(bound)] }],
  };
}

// ---- running ------------------------------------------------------------------

function invoke(addon: CpuAddon, name: keyof CpuAddon, args: unknown[]): unknown {
  return (addon[name] as unknown as (...a: unknown[]) => unknown)(...args);
}

function describe(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return String(v);
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

withAddon('at least 1,000 randomised malformed calls all throw TypeError or RangeError', (t, addon) => {
  const rng = new Rng(0x5eed2024);
  const names = Object.keys(makers) as (keyof typeof makers)[];
  let malformed = 0;
  let valid = 0;
  const perKernel: Record<string, number> = {};
  const failures: string[] = [];

  const expectThrow = (name: keyof CpuAddon, args: unknown[], expect: ErrorClass, what: string): void => {
    malformed++;
    perKernel[name] = (perKernel[name] ?? 0) + 1;
    try {
      invoke(addon, name, args);
    } catch (err) {
      const ok = err instanceof expect && (err as Error).message.startsWith(`${name}: `);
      if (!ok) {
        failures.push(`${name} (${what}): expected ${expect.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
      }
      return;
    }
    failures.push(`${name} (${what}): did not throw; args ${args.map(describe).join(', ')}`);
  };

  for (let iter = 0; iter < 2400; iter++) {
    const name = names[iter % names.length];
    const dtype = rng.bool() ? 'f32' : 'f64';
    const call = makers[name](rng, dtype);
    try {
      invoke(addon, call.name, call.args);
      valid++;
    } catch (err) {
      failures.push(`${name}: valid call threw ${(err as Error).message}; args ${call.args.map(describe).join(', ')}`);
    }

    const roll = rng.next();
    if (roll < 0.06) {
      // wrong argument count
      const variant = rng.int(0, 2);
      const args = variant === 0 ? call.args.slice(0, -1) : variant === 1 ? [...call.args, null] : [...call.args, undefined];
      expectThrow(call.name, args, TypeError, ['one argument missing', 'an extra null', 'an extra undefined'][variant]);
    } else if (roll < 0.12 && call.specials && call.specials.length > 0) {
      const special = rng.pick(call.specials);
      expectThrow(call.name, special.args, special.expect, special.what);
    } else {
      const index = rng.int(0, call.args.length - 1);
      const options = corruptionsFor(call.kinds[index], call.args[index], dtype, rng);
      const corruption = rng.pick(options);
      const args = call.args.slice();
      args[index] = corruption.value;
      expectThrow(call.name, args, corruption.expect, `argument ${index} → ${corruption.what}`);
    }
  }

  // every entry point called with no arguments at all
  for (const name of [...names, 'info'] as (keyof CpuAddon)[]) {
    if (name === 'info') {
      expectThrow(name, [1], TypeError, 'an extra argument');
    } else {
      expectThrow(name, [], TypeError, 'no arguments');
    }
  }

  t.log(`${malformed} malformed calls (${Object.entries(perKernel).map(([k, v]) => `${k} ${v}`).join(', ')}), ${valid} valid calls`);
  t.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  t.true(malformed >= 1000, `only ${malformed} malformed calls`);
  t.is(valid, 2400);

  // the addon still computes correctly afterwards
  const c = new Float64Array(4).fill(NaN);
  addon.gemm(false, false, 2, 2, 3, 1, Float64Array.of(1, 2, 3, 4, 5, 6), 3, Float64Array.of(7, 8, 9, 10, 11, 12), 2, 0, c, 2);
  t.deepEqual(Array.from(c), [58, 64, 139, 154]);
});

cpuAddonTest('the wrapper rejects unknown enum names with a RangeError', (t, load) => {
  const cpu = load.backend;
  const x = new Float32Array(4);
  t.throws(() => cpu.unary('toString' as never, x, x), { instanceOf: RangeError });
  t.throws(() => cpu.binary('hypot' as never, [4], x, [1], x, [1], x), { instanceOf: RangeError });
  t.throws(() => cpu.biasActivationForward('gelu' as never, 2, 2, x, null, x), { instanceOf: RangeError });
  t.throws(() => cpu.layerNormForward(1, 4, x, null, x, x, 1e-5, 'tanh' as never, new Float32Array(4), new Float32Array(1), new Float32Array(1)),
    { instanceOf: RangeError });
  t.throws(() => cpu.reduce('mean' as never, 1, 4, 1, x, new Float32Array(1)), { instanceOf: RangeError });
});

withAddon('messages name the kernel, the argument and the shapes', (t, addon) => {
  t.throws(() => addon.gemm(false, false, 3, 2, 5, 1, new Float32Array(12), 5, new Float32Array(10), 2, 0, new Float32Array(6), 2),
    { instanceOf: RangeError, message: 'gemm: a has 12 elements, needs 15 (m=3, k=5, lda=5)' });
  t.throws(() => addon.gemm(false, false, 3, 2, 5, 1, new Float32Array(15), 4, new Float32Array(10), 2, 0, new Float32Array(6), 2),
    { instanceOf: RangeError, message: /^gemm: lda=4 is less than the 5 columns of a/ });
  t.throws(() => addon.gemm(false, false, 1, 1, 1, 1, new Float32Array(1), 1, new Float64Array(1), 1, 0, new Float32Array(1), 1),
    { instanceOf: TypeError, message: /^gemm: b is a Float64Array but a is a Float32Array/ });
  t.throws(() => addon.logSoftmaxNllForward(2, 3, new Float32Array(6), Int32Array.of(0, 3), new Float32Array(6), null),
    { instanceOf: RangeError, message: 'logSoftmaxNllForward: labels[1] = 3 is outside [0, 3)' });
  t.throws(() => addon.gather(new Float64Array(3), Int32Array.of(0, -1), new Float64Array(2)),
    { instanceOf: RangeError, message: 'gather: index[1] = -1 is outside [0, 3) (src has 3 elements)' });
  t.throws(() => addon.scatterAdd(new Float32Array(2), Int32Array.of(1, 4), new Float32Array(4)),
    { instanceOf: RangeError, message: 'scatterAdd: index[1] = 4 is outside [0, 4) (out has 4 elements)' });
  t.throws(() => addon.gather(new Float32Array(3), Int32Array.of(0, 1), new Float32Array(3)),
    { instanceOf: RangeError, message: 'gather: out has 3 elements but index has 2 (they must match)' });
  t.throws(() => addon.scatterAdd(new Float64Array(2), Int32Array.of(0, 1), new Float32Array(2)),
    { instanceOf: TypeError, message: /^scatterAdd: out is a Float32Array but src is a Float64Array/ });
  t.throws(() => addon.gather(new Float32Array(2), Float64Array.of(0, 1) as never, new Float32Array(2)),
    { instanceOf: TypeError, message: 'gather: index must be an Int32Array, got a Float64Array' });
  t.throws(() => addon.binary(0, [2, 3], new Float32Array(6), [3, -1], new Float32Array(6), [3, 1], new Float32Array(6)),
    { instanceOf: RangeError, message: /^binary: aStrides\[1\] must be an integer/ });
  t.throws(() => addon.unary(UNARY_OPS.length, new Float32Array(1), new Float32Array(1)),
    { instanceOf: RangeError, message: /^unary: op must be an index into UNARY_OPS/ });
  t.throws(() => addon.reduce(0, 2.5, 1, 1, new Float32Array(3), new Float32Array(3)),
    { instanceOf: RangeError, message: 'reduce: outer must be an integer in [0, 2147483647], got 2.5' });
});

withAddon('JS arrays are read before typed-array pointers: a getter that detaches a buffer cannot cause a use-after-free', (t, addon) => {
  const a = new Float32Array(6);
  const strides: number[] = [3, 1];
  Object.defineProperty(strides, 1, {
    get() {
      structuredClone(a.buffer, { transfer: [a.buffer] }); // detaches a
      return 1;
    },
  });
  t.throws(() => addon.binary(0, [2, 3], a, strides, new Float32Array(6), [3, 1], new Float32Array(6)),
    { instanceOf: RangeError, message: /^binary: a has 0 elements/ });
  const throwing: number[] = [2];
  Object.defineProperty(throwing, 0, { get() { throw new Error('getter says no'); } });
  t.throws(() => addon.copyStrided(throwing, new Float32Array(2), [1], new Float32Array(2)), { message: 'getter says no' });
});

withAddon('edge sizes are valid: empty products, n = 0 reductions, 0-d binary', (t, addon) => {
  const e = new Float32Array(0);
  t.notThrows(() => addon.gemm(false, false, 0, 0, 0, 1, e, 0, e, 0, 0, e, 0));
  t.notThrows(() => addon.biasActivationForward(1, 0, 5, e, null, e));
  const dBias = new Float32Array(3).fill(NaN);
  addon.biasActivationBackward(0, 0, 3, e, e, e, dBias);
  t.deepEqual(Array.from(dBias), [0, 0, 0]);
  const sums = new Float64Array(2).fill(NaN);
  addon.reduce(0, 2, 0, 1, new Float64Array(0), sums);
  t.deepEqual(Array.from(sums), [0, 0]);
  const maxes = new Float64Array(2);
  addon.reduce(1, 1, 0, 2, new Float64Array(0), maxes);
  t.deepEqual(Array.from(maxes), [-Infinity, -Infinity]);
  const out = new Float64Array(1);
  addon.binary(2, [], Float64Array.of(3), [], Float64Array.of(4), [], out);
  t.is(out[0], 12);
  t.notThrows(() => addon.symEig(0, e, e, e));
  t.notThrows(() => addon.svd(0, 3, e, e, e, e));
  t.is(addon.solve(0, 2, e, e, e), 0);
  const x0 = new Float32Array(3).fill(NaN);
  t.is(addon.lstsq(0, 3, 1, e, e, x0, e), 0);
  t.deepEqual(Array.from(x0), [0, 0, 0]);
  t.notThrows(() => addon.im2col(0, 2, 3, 3, 2, 2, 1, 1, 0, 0, e, e));
  const none = new Int32Array(0);
  t.notThrows(() => addon.gather(e, none, e));
  t.notThrows(() => addon.scatterAdd(e, none, e));
  const acc = Float32Array.of(1, 2);
  addon.scatterAdd(e, none, acc);
  t.deepEqual(Array.from(acc), [1, 2]);
});
