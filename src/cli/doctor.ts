/** `doctor`: what this installation can do — Node and N-API, backends, BLAS, the CUDA addon. */
import * as os from 'node:os';
import { BACKEND_NAMES, getBackend, unavailableReason } from '../backend';
import { loadCpuBackend } from '../backend/cpu';
import { cudaAddonInfo, loadCudaAddon } from '../backend/cuda_addon';
import type { Command } from './command';

/**
 * The CUDA allocator's mode (memoryStats().allocator) and GRADNODE_CUDA_ALLOCATOR.
 * The mode is chosen at the first allocation, so with a device one float is
 * allocated first (freed by GC); without one the mode stays 'none'.
 */
function cudaAllocator(deviceCount: number): { mode: string; env: string | null } | null {
  const load = loadCudaAddon();
  if (!load.ok) return null;
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
  let mode: string;
  try {
    if (deviceCount > 0) load.addon.alloc(0, 1);
    mode = load.addon.memoryStats().allocator;
  } catch (err) {
    mode = `unknown: ${message(err)}`;
  }
  return { mode, env: process.env.GRADNODE_CUDA_ALLOCATOR ?? null };
}

export function doctorReport(): Record<string, unknown> {
  const cpu = loadCpuBackend();
  const cudaLoad = loadCudaAddon();
  const cuda = cudaAddonInfo();
  return {
    node: process.version,
    napi: Number(process.versions.napi),
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    backends: Object.fromEntries(BACKEND_NAMES.map((n) => [n, unavailableReason(n) ?? 'available'])),
    defaultBackend: getBackend().name,
    cpuAddon: cpu.ok ? { file: cpu.file, ...cpu.info } : null,
    cudaAddon: cuda
      ? { built: true, file: cuda.file, ...cuda.info, enums: undefined, allocator: cudaAllocator(cuda.info.deviceCount) }
      : { built: !cudaLoad.ok && cudaLoad.built, reason: cudaLoad.ok ? 'info() failed' : cudaLoad.reason },
  };
}

export const doctor: Command = {
  name: 'doctor',
  describe: 'Print Node/N-API versions, the backends present (and why not), BLAS vendor and threads',
  flags: [{ name: 'json', type: 'boolean', default: false, description: 'print the report as JSON' }],
  run(flags) {
    const report = doctorReport();
    if (flags.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const info = report.cpuAddon as (Record<string, unknown> & { enums?: unknown }) | null;
    const lines = [
      `node            ${report.node} (N-API ${report.napi}), ${report.platform}`,
      `machine         ${report.cpus}, ${report.memoryGiB} GiB`,
      ...Object.entries(report.backends as Record<string, string>).map(([n, s]) => `backend ${n.padEnd(8)}${s}`),
      `default backend ${report.defaultBackend}`,
    ];
    if (info) {
      lines.push(
        `cpu addon       ${info.file} (N-API ${info.napiBuildVersion}, ${info.compiler})`,
        `BLAS            ${info.blasConfig}`,
        `BLAS kernels    ${info.blasCore}, ${info.blasThreads} threads (${info.blasParallel})`,
      );
    }
    const cuda = report.cudaAddon as Record<string, unknown>;
    if (cuda.file) {
      const version = (v: unknown) => (typeof v === 'number' && v > 0 ? `${Math.floor(v / 1000)}.${(v % 1000) / 10}` : 'none');
      const devices = (cuda.devices as { name: string; computeCapability: string; memoryBytes: number; multiprocessors: number }[])
        .map((d) => `${d.name} (sm ${d.computeCapability}, ${(d.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${d.multiprocessors} SMs)`);
      const cublas = cuda.cublas as { loaded: boolean; path: string | null; reason: string | null };
      lines.push(
        `cuda addon      ${cuda.file} (${cuda.compiler})`,
        `CUDA            runtime ${version(cuda.cudaRuntimeVersion)}, driver ${version(cuda.cudaDriverVersion)}, ` +
          `${cuda.deviceCount} device(s)${cuda.error ? `: ${cuda.error}` : ''}`,
        ...devices.map((d, i) => `CUDA device ${i}   ${d}`),
        `cuBLAS          ${cublas.loaded ? `loaded from ${cublas.path}` : `not loaded: ${cublas.reason}`}; gemm uses ${cuda.gemm}`,
      );
      const allocator = cuda.allocator as { mode: string; env: string | null } | null;
      if (allocator) {
        lines.push(`CUDA allocator  ${allocator.mode}${allocator.mode === 'none' ? ' (no device)' : ''}` +
          `${allocator.env !== null ? `; GRADNODE_CUDA_ALLOCATOR=${allocator.env}` : ''}`);
      }
    } else {
      lines.push(`cuda addon      ${cuda.built ? 'built but unusable' : 'not built'}: ${cuda.reason}`);
    }
    console.log(lines.join('\n'));
  },
};
