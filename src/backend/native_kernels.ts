/**
 * What the native addons share on the TypeScript side: the kernel exports
 * (KernelAddon) and their wrapping as Backend methods, which only maps enum
 * names to indices and a ConvGeometry to its integers. Every native function
 * checks its arguments itself and throws a TypeError or RangeError naming
 * the kernel, the argument and the shapes.
 */
import {
  ACTIVATIONS, BINARY_OPS, REDUCE_OPS, SVC_KERNELS, UNARY_OPS,
  type Activation, type Backend, type BinaryOp, type ConvGeometry,
  type NormActivation, type ReduceOp, type Storage, type SvcKernel, type UnaryOp,
} from './backend';

type Nullable<T> = T | null | undefined;

/**
 * The kernel exports shared by the native addons (gradnode_cpu.node,
 * gradnode_cuda.node): the Backend's kernels with the same positional
 * arguments, except that enums travel as indices into ACTIVATIONS /
 * BINARY_OPS / UNARY_OPS / REDUCE_OPS and a ConvGeometry as its 10 integers
 * in declaration order. Typed with Storage: the cpu addon accepts typed
 * arrays, the cuda addon DeviceArrays, and each throws a TypeError for the
 * other kind.
 */
export interface KernelAddon {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: Storage, lda: number, b: Storage, ldb: number,
       beta: number, c: Storage, ldc: number): void;
  /** act: index into ACTIVATIONS. */
  biasActivationForward(act: number, m: number, n: number, x: Storage,
                        bias: Nullable<Storage>, out: Storage): void;
  biasActivationBackward(act: number, m: number, n: number, dOut: Storage,
                         out: Storage, dX: Storage, dBias: Nullable<Storage>): void;
  /** act: 0 (identity) or 1 (relu), the ACTIVATIONS indices. */
  layerNormForward(m: number, n: number, x: Storage, residual: Nullable<Storage>,
                   gamma: Storage, beta: Storage, eps: number, act: number,
                   out: Storage, mean: Storage, rstd: Storage): void;
  layerNormBackward(m: number, n: number, dOut: Storage, x: Storage,
                    residual: Nullable<Storage>, mean: Storage, rstd: Storage,
                    gamma: Storage, act: number, out: Nullable<Storage>,
                    dX: Storage, dGamma: Nullable<Storage>, dBeta: Nullable<Storage>): void;
  logSoftmaxNllForward(m: number, c: number, logits: Storage, labels: Int32Array,
                       logProbs: Storage, argmax: Nullable<Int32Array>): number;
  logSoftmaxNllBackward(m: number, c: number, logProbs: Storage, labels: Int32Array,
                        gradLoss: number, dLogits: Storage): void;
  im2col(batch: number, channels: number, height: number, width: number,
         kernelH: number, kernelW: number, strideH: number, strideW: number,
         padH: number, padW: number, images: Storage, cols: Storage): void;
  col2im(batch: number, channels: number, height: number, width: number,
         kernelH: number, kernelW: number, strideH: number, strideW: number,
         padH: number, padW: number, cols: Storage, images: Storage): void;
  /** op: index into BINARY_OPS. */
  binary(op: number, shape: readonly number[], a: Storage, aStrides: readonly number[],
         b: Storage, bStrides: readonly number[], out: Storage): void;
  /** op: index into UNARY_OPS. */
  unary(op: number, x: Storage, out: Storage): void;
  scale(alpha: number, x: Storage, out: Storage): void;
  axpy(alpha: number, x: Storage, y: Storage): void;
  copyStrided(shape: readonly number[], src: Storage, srcStrides: readonly number[], out: Storage): void;
  /** op: index into REDUCE_OPS. */
  reduce(op: number, outer: number, n: number, inner: number, x: Storage, out: Storage): void;
  argmax(outer: number, n: number, inner: number, x: Storage, out: Int32Array): void;
  gather(src: Storage, index: Int32Array, out: Storage): void;
  scatterAdd(src: Storage, index: Int32Array, out: Storage): void;
}

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
const SVC_KERNEL_INDEX = indexTable(SVC_KERNELS);

function lookup<K extends string>(table: Readonly<Record<K, number>>, name: K, what: string, backend: string, kernel: string): number {
  const index = table[name];
  if (index === undefined) {
    throw new RangeError(`${backend}.${kernel}: unknown ${what} ${JSON.stringify(name)}`);
  }
  return index;
}

/** The ACTIVATIONS index of act, or a RangeError naming the backend and kernel. */
export function activationIndex(act: Activation, backendName: string, kernel: string): number {
  return lookup(ACTIVATION_INDEX, act, 'activation', backendName, kernel);
}

/** The SVC_KERNELS index of a kernel name (cpu.svcSolve). */
export function svcKernelIndex(kernel: SvcKernel): number {
  return lookup(SVC_KERNEL_INDEX, kernel, 'kernel', 'cpu', 'svcSolve');
}

/** The addon's kernels as Backend methods (memory, the linear algebra, max pooling, the fused convolution and adamStep are each backend's own). */
export type NativeKernels = Omit<Backend, 'name' | 'memory' | 'alloc' | 'fromHost' | 'toHost' | 'view' | 'copy' | 'copy2d' | 'fill' | 'cast' | 'symEig' | 'svd' | 'solve' | 'lstsq' | 'maxPool2d' | 'conv2dForward' | 'conv2dBackward' | 'conv2dPoolForward' | 'conv2dPoolBackward' | 'adamStep' | 'svcSolve'>;

export function nativeKernels(addon: KernelAddon, backendName: string): NativeKernels {
  return {

    gemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      addon.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),

    biasActivationForward: (act: Activation, m, n, x, bias, out) =>
      addon.biasActivationForward(lookup(ACTIVATION_INDEX, act, 'activation', backendName, 'biasActivationForward'),
        m, n, x, bias, out),
    biasActivationBackward: (act: Activation, m, n, dOut, out, dX, dBias) =>
      addon.biasActivationBackward(lookup(ACTIVATION_INDEX, act, 'activation', backendName, 'biasActivationBackward'),
        m, n, dOut, out, dX, dBias),

    layerNormForward: (m, n, x, residual, gamma, beta, eps, act: NormActivation, out, mean, rstd) =>
      addon.layerNormForward(m, n, x, residual, gamma, beta, eps,
        lookup(NORM_ACTIVATION_INDEX, act, 'norm activation', backendName, 'layerNormForward'), out, mean, rstd),
    layerNormBackward: (m, n, dOut, x, residual, mean, rstd, gamma, act: NormActivation, out, dX, dGamma, dBeta) =>
      addon.layerNormBackward(m, n, dOut, x, residual, mean, rstd, gamma,
        lookup(NORM_ACTIVATION_INDEX, act, 'norm activation', backendName, 'layerNormBackward'), out, dX, dGamma, dBeta),

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
      addon.binary(lookup(BINARY_INDEX, op, 'binary op', backendName, 'binary'), shape, a, aStrides, b, bStrides, out),
    unary: (op: UnaryOp, x, out) => addon.unary(lookup(UNARY_INDEX, op, 'unary op', backendName, 'unary'), x, out),
    scale: (alpha, x, out) => addon.scale(alpha, x, out),
    axpy: (alpha, x, y) => addon.axpy(alpha, x, y),
    copyStrided: (shape, src, srcStrides, out) => addon.copyStrided(shape, src, srcStrides, out),

    reduce: (op: ReduceOp, outer, n, inner, x, out) =>
      addon.reduce(lookup(REDUCE_INDEX, op, 'reduce op', backendName, 'reduce'), outer, n, inner, x, out),
    argmax: (outer, n, inner, x, out) => addon.argmax(outer, n, inner, x, out),

    gather: (src, index, out) => addon.gather(src, index, out),
    scatterAdd: (src, index, out) => addon.scatterAdd(src, index, out),
  };
}

function sameNames(got: unknown, want: readonly string[]): boolean {
  return Array.isArray(got) && got.length === want.length && got.every((name, i) => name === want[i]);
}

/** The enum names an addon reports (info().enums) against backend.ts: null when they match, else why the addon is stale. */
export function staleEnums(enums: { activations: string[]; binaryOps: string[]; unaryOps: string[]; reduceOps: string[] } | undefined,
                           file: string, rebuild: string): string | null {
  if (enums && sameNames(enums.activations, ACTIVATIONS) && sameNames(enums.binaryOps, BINARY_OPS)
      && sameNames(enums.unaryOps, UNARY_OPS) && sameNames(enums.reduceOps, REDUCE_OPS)) return null;
  return `${file} is stale: its enum order differs from backend.ts (run \`${rebuild}\`)`;
}
