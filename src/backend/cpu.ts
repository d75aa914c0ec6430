/**
 * The `cpu` backend: the native addon build/Release/gradnode_cpu.node
 * (native/cpu/, OpenBLAS + LAPACK) behind the Backend interface.
 *
 * The addon's functions take the interface's positional arguments in the same
 * order, except that enums travel as indices into ACTIVATIONS / BINARY_OPS /
 * UNARY_OPS / REDUCE_OPS and a ConvGeometry as its 10 integers in declaration
 * order. Every native function checks its arguments and throws a TypeError or
 * RangeError naming the kernel, the argument and the shapes; this wrapper
 * only maps names to indices and adds nothing per call.
 */
import { loadAddon } from './addon';
import {
  ACTIVATIONS, BINARY_OPS, REDUCE_OPS, UNARY_OPS,
  type Activation, type Backend, type BinaryOp, type ConvGeometry, type FloatArray,
  type NormActivation, type ReduceOp, type UnaryOp,
} from './backend';

/** What the addon reports about itself (for `doctor`). */
export interface CpuAddonInfo {
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  blasConfig: string;
  /** openblas_get_corename(), the kernel set OpenBLAS picked for this CPU. */
  blasCore: string;
  /** openblas_get_num_threads(). */
  blasThreads: number;
  /** OpenBLAS's threading model: 'sequential' | 'pthreads' | 'openmp'. */
  blasParallel: string;
  /** The N-API version of the running Node. */
  napiVersion: number;
  /** The N-API version the addon was built against. */
  napiBuildVersion: number;
  /** The C++ compiler that built the addon. */
  compiler: string;
  /** The enum names in the addon's index order (checked against backend.ts on load). */
  enums: { activations: string[]; binaryOps: string[]; unaryOps: string[]; reduceOps: string[] };
}

type Nullable<T> = T | null | undefined;

/** The native exports of gradnode_cpu.node (see native/cpu/kernels.h). */
export interface CpuAddon {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number,
       beta: number, c: FloatArray, ldc: number): void;
  /** act: index into ACTIVATIONS. */
  biasActivationForward(act: number, m: number, n: number, x: FloatArray,
                        bias: Nullable<FloatArray>, out: FloatArray): void;
  biasActivationBackward(act: number, m: number, n: number, dOut: FloatArray,
                         out: FloatArray, dX: FloatArray, dBias: Nullable<FloatArray>): void;
  /** act: 0 (identity) or 1 (relu), the ACTIVATIONS indices. */
  layerNormForward(m: number, n: number, x: FloatArray, residual: Nullable<FloatArray>,
                   gamma: FloatArray, beta: FloatArray, eps: number, act: number,
                   out: FloatArray, mean: FloatArray, rstd: FloatArray): void;
  layerNormBackward(m: number, n: number, dOut: FloatArray, x: FloatArray,
                    residual: Nullable<FloatArray>, mean: FloatArray, rstd: FloatArray,
                    gamma: FloatArray, act: number, out: Nullable<FloatArray>,
                    dX: FloatArray, dGamma: Nullable<FloatArray>, dBeta: Nullable<FloatArray>): void;
  logSoftmaxNllForward(m: number, c: number, logits: FloatArray, labels: Int32Array,
                       logProbs: FloatArray, argmax: Nullable<Int32Array>): number;
  logSoftmaxNllBackward(m: number, c: number, logProbs: FloatArray, labels: Int32Array,
                        gradLoss: number, dLogits: FloatArray): void;
  im2col(batch: number, channels: number, height: number, width: number,
         kernelH: number, kernelW: number, strideH: number, strideW: number,
         padH: number, padW: number, images: FloatArray, cols: FloatArray): void;
  col2im(batch: number, channels: number, height: number, width: number,
         kernelH: number, kernelW: number, strideH: number, strideW: number,
         padH: number, padW: number, cols: FloatArray, images: FloatArray): void;
  /** op: index into BINARY_OPS. */
  binary(op: number, shape: readonly number[], a: FloatArray, aStrides: readonly number[],
         b: FloatArray, bStrides: readonly number[], out: FloatArray): void;
  /** op: index into UNARY_OPS. */
  unary(op: number, x: FloatArray, out: FloatArray): void;
  scale(alpha: number, x: FloatArray, out: FloatArray): void;
  axpy(alpha: number, x: FloatArray, y: FloatArray): void;
  copyStrided(shape: readonly number[], src: FloatArray, srcStrides: readonly number[], out: FloatArray): void;
  /** op: index into REDUCE_OPS. */
  reduce(op: number, outer: number, n: number, inner: number, x: FloatArray, out: FloatArray): void;
  argmax(outer: number, n: number, inner: number, x: FloatArray, out: Int32Array): void;
  gather(src: FloatArray, index: Int32Array, out: FloatArray): void;
  scatterAdd(src: FloatArray, index: Int32Array, out: FloatArray): void;
  symEig(n: number, a: FloatArray, values: FloatArray, vectors: FloatArray): void;
  svd(m: number, n: number, a: FloatArray, u: FloatArray, s: FloatArray, vt: FloatArray): void;
  info(): CpuAddonInfo;
}

/** The Backend plus what only the CPU backend can tell. */
export interface CpuBackend extends Backend {
  readonly name: 'cpu';
  /** BLAS configuration and threads, N-API versions (for `doctor`). */
  info(): CpuAddonInfo;
}

export type CpuBackendLoad =
  | { ok: true; backend: CpuBackend; info: CpuAddonInfo; file: string; addon: CpuAddon }
  | { ok: false; reason: string };

/** Every function the addon must export. */
export const CPU_ADDON_FUNCTIONS: readonly (keyof CpuAddon)[] = [
  'gemm', 'biasActivationForward', 'biasActivationBackward', 'layerNormForward', 'layerNormBackward',
  'logSoftmaxNllForward', 'logSoftmaxNllBackward', 'im2col', 'col2im', 'binary', 'unary', 'scale',
  'axpy', 'copyStrided', 'reduce', 'argmax', 'gather', 'scatterAdd', 'symEig', 'svd', 'info',
];

/** name → index, with no prototype (so 'toString' is not an index). */
function indexTable<K extends string>(names: readonly K[]): Readonly<Record<K, number>> {
  const table = Object.create(null) as Record<K, number>;
  names.forEach((name, i) => { table[name] = i; });
  return Object.freeze(table);
}

const ACTIVATION_INDEX = indexTable(ACTIVATIONS);
const NORM_ACTIVATION_INDEX = indexTable<NormActivation>(['identity', 'relu']);
const BINARY_INDEX = indexTable(BINARY_OPS);
const UNARY_INDEX = indexTable(UNARY_OPS);
const REDUCE_INDEX = indexTable(REDUCE_OPS);

function lookup<K extends string>(table: Readonly<Record<K, number>>, name: K, what: string, kernel: string): number {
  const index = table[name];
  if (index === undefined) {
    throw new RangeError(`cpu.${kernel}: unknown ${what} ${JSON.stringify(name)}`);
  }
  return index;
}

/** Wraps the addon's functions as a Backend. */
export function createCpuBackend(addon: CpuAddon): CpuBackend {
  return {
    name: 'cpu',
    info: () => addon.info(),

    gemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      addon.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),

    biasActivationForward: (act: Activation, m, n, x, bias, out) =>
      addon.biasActivationForward(lookup(ACTIVATION_INDEX, act, 'activation', 'biasActivationForward'),
        m, n, x, bias, out),
    biasActivationBackward: (act: Activation, m, n, dOut, out, dX, dBias) =>
      addon.biasActivationBackward(lookup(ACTIVATION_INDEX, act, 'activation', 'biasActivationBackward'),
        m, n, dOut, out, dX, dBias),

    layerNormForward: (m, n, x, residual, gamma, beta, eps, act: NormActivation, out, mean, rstd) =>
      addon.layerNormForward(m, n, x, residual, gamma, beta, eps,
        lookup(NORM_ACTIVATION_INDEX, act, 'norm activation', 'layerNormForward'), out, mean, rstd),
    layerNormBackward: (m, n, dOut, x, residual, mean, rstd, gamma, act: NormActivation, out, dX, dGamma, dBeta) =>
      addon.layerNormBackward(m, n, dOut, x, residual, mean, rstd, gamma,
        lookup(NORM_ACTIVATION_INDEX, act, 'norm activation', 'layerNormBackward'), out, dX, dGamma, dBeta),

    logSoftmaxNllForward: (m, c, logits, labels, logProbs, argmax) =>
      addon.logSoftmaxNllForward(m, c, logits, labels, logProbs, argmax),
    logSoftmaxNllBackward: (m, c, logProbs, labels, gradLoss, dLogits) =>
      addon.logSoftmaxNllBackward(m, c, logProbs, labels, gradLoss, dLogits),

    im2col: (g: ConvGeometry, images, cols) =>
      addon.im2col(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW,
        g.strideH, g.strideW, g.padH, g.padW, images, cols),
    col2im: (g: ConvGeometry, cols, images) =>
      addon.col2im(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW,
        g.strideH, g.strideW, g.padH, g.padW, cols, images),

    binary: (op: BinaryOp, shape, a, aStrides, b, bStrides, out) =>
      addon.binary(lookup(BINARY_INDEX, op, 'binary op', 'binary'), shape, a, aStrides, b, bStrides, out),
    unary: (op: UnaryOp, x, out) => addon.unary(lookup(UNARY_INDEX, op, 'unary op', 'unary'), x, out),
    scale: (alpha, x, out) => addon.scale(alpha, x, out),
    axpy: (alpha, x, y) => addon.axpy(alpha, x, y),
    copyStrided: (shape, src, srcStrides, out) => addon.copyStrided(shape, src, srcStrides, out),

    reduce: (op: ReduceOp, outer, n, inner, x, out) =>
      addon.reduce(lookup(REDUCE_INDEX, op, 'reduce op', 'reduce'), outer, n, inner, x, out),
    argmax: (outer, n, inner, x, out) => addon.argmax(outer, n, inner, x, out),

    gather: (src, index, out) => addon.gather(src, index, out),
    scatterAdd: (src, index, out) => addon.scatterAdd(src, index, out),

    symEig: (n, a, values, vectors) => addon.symEig(n, a, values, vectors),
    svd: (m, n, a, u, s, vt) => addon.svd(m, n, a, u, s, vt),
  };
}

function sameNames(got: unknown, want: readonly string[]): boolean {
  return Array.isArray(got) && got.length === want.length && got.every((name, i) => name === want[i]);
}

/**
 * Loads build/Release/gradnode_cpu.node (or GRADNODE_ADDON_DIR's) and checks it
 * matches this package: every function present, the enum order the same as
 * backend.ts. Never throws: a missing or stale addon is `{ ok: false, reason }`.
 */
export function loadCpuBackend(): CpuBackendLoad {
  const load = loadAddon<CpuAddon>('gradnode_cpu.node');
  if (!load.ok) return load;
  const addon = load.addon;
  const missing = CPU_ADDON_FUNCTIONS.filter((name) => typeof addon[name] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `${load.file} is stale: it lacks ${missing.join(', ')} (run \`npm run build:addon\`)` };
  }
  let info: CpuAddonInfo;
  try {
    info = addon.info();
  } catch (err) {
    return { ok: false, reason: `${load.file}: info() failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const enums = info.enums;
  if (!enums || !sameNames(enums.activations, ACTIVATIONS) || !sameNames(enums.binaryOps, BINARY_OPS) ||
      !sameNames(enums.unaryOps, UNARY_OPS) || !sameNames(enums.reduceOps, REDUCE_OPS)) {
    return { ok: false, reason: `${load.file} is stale: its enum order differs from backend.ts (run \`npm run build:addon\`)` };
  }
  return { ok: true, backend: createCpuBackend(addon), info, file: load.file, addon };
}
