/**
 * The CUDA addon, build-cuda/Release/gradnode_cuda.node (native/cuda/, built
 * by `npm run build:cuda` with cmake-js where nvcc is installed): loading, its
 * TS interface type, and why it cannot be used here.
 *
 * Where it is loaded from: GRADNODE_ADDON_DIR when set (the folder of both
 * addons, e.g. on a machine they were carried to), else build-cuda/Release/
 * (not build/Release/: node-gyp's rebuild of the cpu addon deletes build/).
 * GRADNODE_CUDA_ADDON names the file itself, e.g. the host-only emulator's
 * build (native/cuda/emu/README.md).
 * GRADNODE_NO_ADDON=1 refuses to load it.
 *
 * Device memory travels as DeviceArray views of allocations made by alloc();
 * host Int32Arrays (labels, gather/scatter indices, argmax output) stay on the
 * host and are copied to/from the device by the addon on every call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CudaError, CudaOutOfMemoryError } from '../errors';
import type { DeviceArray, FloatArray } from './backend';
import type { KernelAddon } from './native_kernels';

export type { DeviceArray } from './backend';

/** What the addon reports about itself and the machine (never throws). */
export interface CudaAddonInfo {
  /** cudaRuntimeGetVersion(), e.g. 13000 for 13.0 (the runtime is linked statically). */
  cudaRuntimeVersion: number;
  /** cudaDriverGetVersion(): the CUDA version the driver supports, 0 without a driver. */
  cudaDriverVersion: number;
  deviceCount: number;
  devices: { name: string; computeCapability: string; memoryBytes: number; multiprocessors: number }[];
  /** Why there is no usable device (the CUDA error string), else null. */
  error: string | null;
  /** cuBLAS, dlopen'ed at run time (GRADNODE_CUBLAS, then libcublas.so.13/.12/.11/.so). */
  cublas: { loaded: boolean; path: string | null; reason: string | null };
  /** What gemm() uses now. */
  gemm: 'cublas' | 'tiled';
  napiVersion: number;
  napiBuildVersion: number;
  /** nvcc and host compiler versions. */
  compiler: string;
  /** The enum names in the addon's index order (as CpuAddonInfo.enums). */
  enums: { activations: string[]; binaryOps: string[]; unaryOps: string[]; reduceOps: string[] };
}

/**
 * The device allocator's counters (memoryStats()). Allocations come from a
 * caching allocator (native/cuda/allocator.h): CUDA's stream-ordered memory
 * pool, which keeps freed blocks for reuse ('pool'), or plain
 * cudaMalloc/cudaFree where the device has no memory pools or
 * GRADNODE_CUDA_ALLOCATOR=malloc is set ('cudaMalloc'). 'none' until the
 * first successful alloc() (and always without a device), with every count 0.
 */
export interface CudaMemoryStats {
  allocator: 'pool' | 'cudaMalloc' | 'none';
  /** Bytes of the live allocations (each alloc() counts at least 8 bytes). */
  allocatedBytes: number;
  /** The largest allocatedBytes so far (never reset). */
  peakAllocatedBytes: number;
  /**
   * Allocations not yet freed: tensors' (until their finalizer runs), plus
   * the addon's int32 index/label buffers (at most 4, kept for reuse once
   * a kernel has needed them; their bytes count in allocatedBytes too).
   */
  liveAllocations: number;
  /**
   * Device memory the allocator holds: in 'pool' mode the pool's reserved
   * memory (live allocations + cached free blocks); allocatedBytes in
   * 'cudaMalloc' mode; 0 in 'none'.
   */
  reservedBytes: number;
}

/** The memory functions of the addon (native/cuda/memory.cu). */
export interface CudaMemoryAddon {
  /** dtype: 0 float32, 1 float64. Zero-filled. */
  alloc(dtype: number, length: number): object;
  /**
   * Host to device; same length and dtype. Returns once the data is copied
   * out of `src` (it may change at once); queued after earlier kernels
   * without waiting for them.
   */
  upload(src: FloatArray, dst: DeviceArray): void;
  /** Device to host; same length and dtype; waits for every queued kernel. */
  download(src: DeviceArray, dst: FloatArray): void;
  /** Device to device; same length and dtype. */
  copy(src: DeviceArray, dst: DeviceArray): void;
  /** rows × cols elements: dst[r·dstStride + c] = src[r·srcStride + c] (one cudaMemcpy2D). */
  copy2d(rows: number, cols: number, src: DeviceArray, srcStride: number, dst: DeviceArray, dstStride: number): void;
  fill(dst: DeviceArray, value: number): void;
  /** float32 <-> float64 (or the same dtype); same length. */
  cast(src: DeviceArray, dst: DeviceArray): void;
  synchronize(): void;
  /**
   * Returns the pool's cached, unused blocks to the driver (waits for every
   * queued kernel first), e.g. before handing the GPU to another process.
   * A no-op in 'cudaMalloc' mode and before the first alloc(); throws an
   * Error naming the CUDA call ("emptyCache: cudaMemPoolTrimTo failed: ...")
   * when it fails.
   */
  emptyCache(): void;
  /** The allocator's counters; never throws (zeros and 'none' without a device). */
  memoryStats(): CudaMemoryStats;
}

/**
 * The native exports of gradnode_cuda.node: the memory functions, info,
 * setGemm, and the kernels every native addon shares (KernelAddon, with
 * DeviceArrays as storage). symEig and svd are not there. Kernels are queued
 * on the default stream; errors (also asynchronous ones, at the latest in
 * download/synchronize) throw JS errors naming the kernel.
 */
export interface CudaAddon extends KernelAddon, CudaMemoryAddon {
  info(): CudaAddonInfo;
  /** Throws when 'cublas' is asked for and cuBLAS is not loaded. */
  setGemm(impl: 'cublas' | 'tiled'): void;
  /**
   * The classes failed CUDA calls are thrown as from now on: new base(message,
   * code, status), or outOfMemory's for cudaErrorMemoryAllocation. Before the
   * call they are plain Errors with the same code and status properties.
   * loadCudaAddon() sets CudaError and CudaOutOfMemoryError.
   */
  setErrorClasses(base: CudaErrorClass, outOfMemory: CudaErrorClass): void;
}

export type CudaErrorClass = new (message: string, code: string, status: number) => Error;

/** Every function the addon must export. */
export const CUDA_ADDON_FUNCTIONS: readonly (keyof CudaAddon)[] = [
  'info', 'alloc', 'upload', 'download', 'copy', 'copy2d', 'fill', 'cast', 'synchronize', 'emptyCache',
  'memoryStats', 'setErrorClasses', 'setGemm',
  'gemm', 'biasActivationForward', 'biasActivationBackward', 'layerNormForward', 'layerNormBackward',
  'logSoftmaxNllForward', 'logSoftmaxNllBackward', 'im2col', 'col2im', 'binary', 'unary', 'scale',
  'axpy', 'copyStrided', 'reduce', 'argmax', 'gather', 'scatterAdd',
];

export const CUDA_ADDON_FILE = 'gradnode_cuda.node';

/** The folder the CUDA addon is loaded from. */
export function cudaAddonDir(): string {
  return process.env.GRADNODE_ADDON_DIR ?? path.resolve(__dirname, '..', '..', 'build-cuda', 'Release');
}

/**
 * The CUDA addon file: GRADNODE_CUDA_ADDON when set (e.g. the host-only
 * emulator's build, build-cuda-emu/Release/gradnode_cuda.node), else
 * gradnode_cuda.node in cudaAddonDir().
 */
export function cudaAddonFile(): string {
  const file = process.env.GRADNODE_CUDA_ADDON;
  return file ? path.resolve(file) : path.join(cudaAddonDir(), CUDA_ADDON_FILE);
}

export type CudaAddonLoad =
  | { ok: true; addon: CudaAddon; file: string }
  | { ok: false; reason: string; built: boolean };

let cached: { file: string; load: CudaAddonLoad } | null = null;

/**
 * Loads the CUDA addon (once per file) and checks it exports every function.
 * Never throws. `built` is false when there is no file to load.
 */
export function loadCudaAddon(): CudaAddonLoad {
  if (process.env.GRADNODE_NO_ADDON === '1') {
    return { ok: false, built: false, reason: 'native addons are disabled by GRADNODE_NO_ADDON=1' };
  }
  const file = cudaAddonFile();
  if (cached && cached.file === file) return cached.load;
  let load: CudaAddonLoad;
  if (!fs.existsSync(file)) {
    load = {
      ok: false, built: false,
      reason: `the cuda addon is not built (${file} is missing: set-up builds it only where nvcc and a CUDA driver are both present; \`npm run build:cuda\` builds it anyway)`,
    };
  } else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as CudaAddon;
      const missing = CUDA_ADDON_FUNCTIONS.filter((name) => typeof addon[name] !== 'function');
      if (missing.length > 0) {
        load = { ok: false, built: true, reason: `${file} is stale: it lacks ${missing.join(', ')} (run \`npm run build:cuda\`)` };
      } else {
        addon.setErrorClasses(CudaError, CudaOutOfMemoryError);
        load = { ok: true, addon, file };
      }
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      load = { ok: false, built: true, reason: `${file} failed to load: ${message}` };
    }
  }
  cached = { file, load };
  return load;
}

/** The addon's info(), or null when it does not load (or info() throws, which it should not). */
export function cudaAddonInfo(): { file: string; info: CudaAddonInfo } | null {
  const load = loadCudaAddon();
  if (!load.ok) return null;
  try {
    return { file: load.file, info: load.addon.info() };
  } catch {
    return null;
  }
}

/**
 * Why CUDA cannot be used here, or null when the addon loads and sees at least
 * one device: "the cuda addon is not built (...)", "no CUDA device:
 * cudaGetDeviceCount failed: <CUDA error>", ...
 */
export function cudaUnavailableReason(): string | null {
  const load = loadCudaAddon();
  if (!load.ok) return load.reason;
  let info: CudaAddonInfo;
  try {
    info = load.addon.info();
  } catch (err) {
    return `${load.file}: info() failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (info.deviceCount > 0) return null;
  return `no CUDA device: ${info.error ?? 'cudaGetDeviceCount found none'}`;
}
