/**
 * The `cuda` backend: tensors live in GPU memory (DeviceArray views into
 * allocations of gradnode_cuda.node) and stay there across ops; values move
 * between the device and JS only through fromHost (tensor creation, `.to`)
 * and toHost (`toArray`, `toTypedArray`, `item`, `.to('cpu')`).
 *
 * The kernels are the shared native wrapping (native_kernels.ts) over the
 * addon. symEig, svd, solve, lstsq, maxPool2d and svcSolve have no CUDA kernels: they download their
 * inputs, run LAPACK or the cpu kernel (or the ts reference) on the host and upload the
 * results (an explicit, documented round trip). conv2dForward / conv2dBackward are composed
 * on the device from the addon's im2col, gemm and col2im (conv_composed.ts), adamStep from its
 * elementwise kernels (adam_composed.ts). Int32 arguments (labels, gather indices, argmax
 * output) are host Int32Arrays that the addon copies itself.
 */
import { allocate, storageDType, type Backend, type DeviceArray, type DType, type FloatArray, type Storage } from './backend';
import { cudaUnavailableReason, loadCudaAddon, type CudaMemoryAddon } from './cuda_addon';
import { composedAdamStep } from './adam_composed';
import { composedConv2d, type FusedConv } from './conv_composed';
import { nativeKernels, staleEnums, type KernelAddon } from './native_kernels';
import { tsBackend } from './ts';

/** The kernels the cuda backend runs on the host. */
export type HostLinalg = Pick<Backend, 'symEig' | 'svd' | 'solve' | 'lstsq' | 'maxPool2d' | 'svcSolve'>;

/** What the backend needs of the addon (the mock of the tests provides exactly this). */
export type CudaKernelAddon = KernelAddon & CudaMemoryAddon;

function device(s: Storage, fn: string, what: string): DeviceArray {
  if (s instanceof Float32Array || s instanceof Float64Array) {
    throw new TypeError(`cuda.${fn}: ${what} is a host typed array; cuda tensors hold DeviceArrays (create the tensor on cuda or move it with .to('cuda'))`);
  }
  return s;
}

/**
 * Wraps the addon as a Backend with device-resident storage; `hostLinalg`
 * (the cpu backend when present, else ts) computes symEig / svd / solve / lstsq on the host.
 */
export function createCudaBackend(addon: CudaKernelAddon, hostLinalg: HostLinalg = tsBackend): Backend {
  const alloc = (dtype: DType, length: number): DeviceArray => {
    if (dtype !== 'float32' && dtype !== 'float64') throw new TypeError(`cuda.alloc: dtype must be 'float32' or 'float64', not ${String(dtype)}`);
    return { handle: addon.alloc(dtype === 'float64' ? 1 : 0, length), offset: 0, length, dtype };
  };
  const toHost = (s: Storage): FloatArray => {
    const d = device(s, 'toHost', 'storage');
    const out = allocate(d.dtype, d.length);
    addon.download(d, out);
    return out;
  };
  const fromHost = (data: FloatArray): DeviceArray => {
    const d = alloc(storageDType(data), data.length);
    addon.upload(data, d);
    return d;
  };
  /** Runs a host kernel on downloaded inputs and uploads its outputs. */
  const onHost = (inputs: Storage[], outputs: Storage[], run: (host: FloatArray[]) => void): void => {
    const host = [...inputs.map(toHost), ...outputs.map((o) => allocate(storageDType(o), o.length))];
    run(host);
    outputs.forEach((o, i) => addon.upload(host[inputs.length + i], device(o, 'upload', 'output')));
  };
  const kernels: Omit<Backend, FusedConv | 'adamStep'> = {
    name: 'cuda',
    memory: 'device',
    alloc,
    fromHost,
    toHost,
    view(s, offset, length) {
      const d = device(s, 'view', 'storage');
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > d.length) {
        throw new RangeError(`cuda.view: ${offset}+${length} is outside the ${d.length} elements of the array`);
      }
      return { handle: d.handle, offset: d.offset + offset, length, dtype: d.dtype };
    },
    copy: (src, dst) => addon.copy(device(src, 'copy', 'src'), device(dst, 'copy', 'dst')),
    copy2d: (rows, cols, src, srcStride, dst, dstStride) =>
      addon.copy2d(rows, cols, device(src, 'copy2d', 'src'), srcStride, device(dst, 'copy2d', 'dst'), dstStride),
    fill: (dst, value) => addon.fill(device(dst, 'fill', 'dst'), value),
    cast: (src, dst) => addon.cast(device(src, 'cast', 'src'), device(dst, 'cast', 'dst')),
    ...nativeKernels(addon, 'cuda'),
    symEig: (n, a, values, vectors) =>
      onHost([a], [values, vectors], ([ha, hv, hvec]) => hostLinalg.symEig(n, ha, hv, hvec)),
    svd: (m, n, a, u, s, vt) =>
      onHost([a], [u, s, vt], ([ha, hu, hs, hvt]) => hostLinalg.svd(m, n, ha, hu, hs, hvt)),
    solve: (n, nrhs, a, b, x) =>
      onHost([a, b], [x], ([ha, hb, hx]) => hostLinalg.solve(n, nrhs, ha, hb, hx)),
    maxPool2d: (g, x, out, argmax) => onHost([x], [out], ([hx, hout]) => hostLinalg.maxPool2d(g, hx, hout, argmax)),
    svcSolve: (n, d, x, classCounts, params, alpha, rho, iterations) => {
      let timedOut = 0;
      onHost([x], [], ([hx]) => { timedOut = hostLinalg.svcSolve(n, d, hx, classCounts, params, alpha, rho, iterations); });
      return timedOut;
    },
    lstsq: (m, n, nrhs, a, b, x, s = null) => {
      let rank = 0;
      onHost([a, b], s ? [x, s] : [x], ([ha, hb, hx, hs]) => { rank = hostLinalg.lstsq(m, n, nrhs, ha, hb, hx, hs ?? null); });
      return rank;
    },
  };
  const withAdam = { ...kernels, adamStep: composedAdamStep(kernels) };
  return { ...withAdam, ...composedConv2d(withAdam) };
}

export type CudaBackendLoad = { ok: true; backend: Backend } | { ok: false; reason: string };

/**
 * The cuda backend when the addon loads, matches backend.ts and sees a
 * device; else why not. Never throws.
 */
export function loadCudaBackend(hostLinalg?: HostLinalg): CudaBackendLoad {
  const reason = cudaUnavailableReason();
  if (reason) return { ok: false, reason };
  const load = loadCudaAddon();
  if (!load.ok) return { ok: false, reason: load.reason };
  const stale = staleEnums(load.addon.info().enums, load.file, 'npm run build:cuda');
  if (stale) return { ok: false, reason: stale };
  return { ok: true, backend: createCudaBackend(load.addon, hostLinalg) };
}
