/** `doctor`: what this installation can do — Node and N-API, backends, BLAS. */
import * as os from 'node:os';
import { BACKEND_NAMES, getBackend, unavailableReason } from '../backend';
import { loadCpuBackend } from '../backend/cpu';
import type { Command } from './command';

export function doctorReport(): Record<string, unknown> {
  const cpu = loadCpuBackend();
  return {
    node: process.version,
    napi: Number(process.versions.napi),
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    backends: Object.fromEntries(BACKEND_NAMES.map((n) => [n, unavailableReason(n) ?? 'available'])),
    defaultBackend: getBackend().name,
    cpuAddon: cpu.ok ? { file: cpu.file, ...cpu.info } : null,
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
    console.log(lines.join('\n'));
  },
};
