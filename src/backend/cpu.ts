/**
 * The `cpu` backend: the native addon build/Release/gradnode_cpu.node
 * (native/cpu/, OpenBLAS + LAPACK) behind the Backend interface: host memory
 * (typed arrays), the shared native kernel wrapping (native_kernels.ts) and
 * LAPACK's symEig / svd / solve / lstsq.
 */
import { SingularMatrixError } from '../errors';
import { loadAddon } from './addon';
import type { Backend, Storage } from './backend';
import { hostMemory } from './host';
import { activationIndex, nativeKernels, staleEnums, svcKernelIndex, type KernelAddon } from './native_kernels';

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

/** The exports of gradnode_cpu.node (see native/cpu/kernels.h): the shared kernels plus LAPACK and info. */
export interface CpuAddon extends KernelAddon {
  symEig(n: number, a: Storage, values: Storage, vectors: Storage): void;
  svd(m: number, n: number, a: Storage, u: Storage, s: Storage, vt: Storage): void;
  /** 0 when solved, else the 1-based index of the zero or negligible pivot (nothing written). */
  solve(n: number, nrhs: number, a: Storage, b: Storage, x: Storage): number;
  /** The effective rank. */
  lstsq(m: number, n: number, nrhs: number, a: Storage, b: Storage, x: Storage, s: Storage | null): number;
  /** padH and padW must be 0. */
  maxPool2d(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
            strideH: number, strideW: number, padH: number, padW: number, x: Storage, out: Storage, argmax: Int32Array): void;
  conv2dForward(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
                strideH: number, strideW: number, padH: number, padW: number, outChannels: number, act: number,
                x: Storage, weight: Storage, bias: Storage | null, out: Storage): void;
  conv2dBackward(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
                 strideH: number, strideW: number, padH: number, padW: number, outChannels: number, act: number,
                 x: Storage, dOut: Storage, out: Storage, weight: Storage,
                 dX: Storage | null, dWeight: Storage | null, dBias: Storage | null): void;
  conv2dPoolForward(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
                    strideH: number, strideW: number, padH: number, padW: number, outChannels: number, act: number,
                    poolKernelH: number, poolKernelW: number, poolStrideH: number, poolStrideW: number,
                    x: Storage, weight: Storage, bias: Storage | null, pooled: Storage, argmax: Int32Array): void;
  conv2dPoolBackward(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
                     strideH: number, strideW: number, padH: number, padW: number, outChannels: number, act: number,
                     poolKernelH: number, poolKernelW: number, poolStrideH: number, poolStrideW: number,
                     x: Storage, dPooled: Storage, pooled: Storage, argmax: Int32Array, weight: Storage,
                     dX: Storage | null, dWeight: Storage | null, dBias: Storage | null): void;
  adamStep(step: number, lr: number, beta1: number, beta2: number, eps: number, p: Storage, g: Storage, m: Storage, v: Storage): void;
  svcSolve(n: number, d: number, x: Storage, classCounts: Int32Array, kernel: number, degree: number, gamma: number,
           coef0: number, C: number, tol: number, shrinking: boolean, cacheMB: number, maxIter: number,
           alpha: Float64Array, rho: Float64Array, iterations: Int32Array): number;
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
  'axpy', 'copyStrided', 'reduce', 'argmax', 'gather', 'scatterAdd', 'symEig', 'svd', 'solve', 'lstsq', 'maxPool2d', 'conv2dForward', 'conv2dBackward', 'conv2dPoolForward', 'conv2dPoolBackward', 'adamStep', 'svcSolve', 'info',
];

/** Wraps the addon's functions as a Backend. */
export function createCpuBackend(addon: CpuAddon): CpuBackend {
  return {
    name: 'cpu',
    ...hostMemory,
    ...nativeKernels(addon, 'cpu'),
    info: () => addon.info(),
    symEig: (n, a, values, vectors) => addon.symEig(n, a, values, vectors),
    svd: (m, n, a, u, s, vt) => addon.svd(m, n, a, u, s, vt),
    solve: (n, nrhs, a, b, x) => {
      const pivot = addon.solve(n, nrhs, a, b, x);
      if (pivot !== 0) throw new SingularMatrixError('solve', n, pivot);
    },
    lstsq: (m, n, nrhs, a, b, x, s = null) => addon.lstsq(m, n, nrhs, a, b, x, s ?? null),
    maxPool2d: (g, x, out, argmax) =>
      addon.maxPool2d(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, x, out, argmax),
    conv2dForward: (g, outChannels, act, x, weight, bias, out) =>
      addon.conv2dForward(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW,
        outChannels, activationIndex(act, 'cpu', 'conv2dForward'), x, weight, bias ?? null, out),
    conv2dBackward: (g, outChannels, act, x, dOut, out, weight, dX, dWeight, dBias) =>
      addon.conv2dBackward(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW,
        outChannels, activationIndex(act, 'cpu', 'conv2dBackward'), x, dOut, out, weight, dX ?? null, dWeight ?? null, dBias ?? null),
    adamStep: (step, lr, beta1, beta2, eps, p, g, m, v) => addon.adamStep(step, lr, beta1, beta2, eps, p, g, m, v),
    svcSolve: (n, d, x, classCounts, q, alpha, rho, iterations) =>
      addon.svcSolve(n, d, x, classCounts, svcKernelIndex(q.kernel), q.degree, q.gamma, q.coef0, q.C, q.tol, q.shrinking,
        q.cacheMB, q.maxIter, alpha, rho, iterations),
    conv2dPoolForward: (g, outChannels, act, p, x, weight, bias, pooled, argmax) =>
      addon.conv2dPoolForward(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW,
        outChannels, activationIndex(act, 'cpu', 'conv2dPoolForward'), p.kernelH, p.kernelW, p.strideH, p.strideW,
        x, weight, bias ?? null, pooled, argmax),
    conv2dPoolBackward: (g, outChannels, act, p, x, dPooled, pooled, argmax, weight, dX, dWeight, dBias) =>
      addon.conv2dPoolBackward(g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW,
        outChannels, activationIndex(act, 'cpu', 'conv2dPoolBackward'), p.kernelH, p.kernelW, p.strideH, p.strideW,
        x, dPooled, pooled, argmax, weight, dX ?? null, dWeight ?? null, dBias ?? null),
  };
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
  const stale = staleEnums(info.enums, load.file, 'npm run build:addon');
  if (stale) return { ok: false, reason: stale };
  return { ok: true, backend: createCpuBackend(addon), info, file: load.file, addon };
}
