#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * CPU vs GPU: GEMM GFLOP/s of the cuda backend (cuBLAS, and our tiled
 * fallback kernel) against the cpu and ts backends, and the dense-res epoch
 * (the hand-derived step, bench/peers/dense_res_gradnode.js) on cuda vs the
 * cpu backend on two cores, and vs PyTorch on the same GPU where one is found
 * (bench/peers/dense_res_torch.py --device cuda). Contenders run interleaved,
 * round by round; GPU timings synchronize the device. cuBLAS called directly
 * (no Node) is in the driver: build-cuda/Release/gradnode_cuda_driver (its
 * gemm table). On the GPU machine, scripts/device/check.sh runs this.
 *
 *   node bench/cuda.js [--rounds 5] [--quick] [--no-readme] [--smoke]
 *
 * --smoke runs every part at toy sizes (GEMM 64² and 128², one round, epochs
 * of 4 batches) and writes nothing: a check that the script works (the tests
 * run it on the host-only CUDA emulator), not a benchmark.
 * Needs a CUDA device and `npm run build:cuda`; elsewhere it prints why and exits 2.
 */
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { backend, isAvailable, unavailableReason } = require('../dist');
const { loadCudaAddon } = require('../dist/backend/cuda_addon');
const { median, min, timeCalls, interleave, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const rounds = smoke ? 1 : Number(args[args.indexOf('--rounds') + 1]) || 5;
const quick = args.includes('--quick');

for (const name of /** @type {const} */ (['cuda', 'cpu'])) {
  if (!isAvailable(name)) {
    console.error(`bench/cuda: the ${name} backend is needed: ${unavailableReason(name)}`);
    process.exit(2);
  }
}
const load = loadCudaAddon();
if (!load.ok) throw new Error('bench/cuda: the cuda addon does not load');
const addon = load.addon;
const info = addon.info();
const device = `${info.devices[0].name} (CUDA ${Math.floor(info.cudaDriverVersion / 1000)}.${(info.cudaDriverVersion % 1000) / 10})`;
const cuda = backend('cuda');
const cpu = backend('cpu');
const ts = backend('ts');

// ---- GEMM ------------------------------------------------------------------
const sizes = smoke ? [64, 128] : quick ? [512, 1024, 2048] : [512, 1024, 2048, 4096];
const gemmRows = [];
for (const s of sizes) {
  const flops = 2 * s * s * s;
  const host = (/** @type {number} */ k) => new Float32Array(s * s).map((_, i) => ((i * k) % 7) - 3);
  const [ha, hb] = [host(1), host(3)];
  const [da, db, dc] = [cuda.fromHost(ha), cuda.fromHost(hb), cuda.alloc('float32', s * s)];
  const hc = new Float32Array(s * s);
  const onGpu = (/** @type {'cublas' | 'tiled'} */ impl) => () => {
    addon.setGemm(impl);
    return timeCalls(() => { cuda.gemm(false, false, s, s, s, 1, da, s, db, s, 0, dc, s); addon.synchronize(); });
  };
  /** @type {Record<string, () => number>} */
  const contenders = {};
  if (info.cublas.loaded) contenders.cublas = onGpu('cublas');
  contenders.tiled = onGpu('tiled');
  if (s <= 2048) contenders.cpu = () => timeCalls(() => cpu.gemm(false, false, s, s, s, 1, ha, s, hb, s, 0, hc, s));
  const samples = interleave(contenders, rounds);
  if (s <= 512) samples.ts = interleave({ ts: () => timeCalls(() => ts.gemm(false, false, s, s, s, 1, ha, s, hb, s, 0, hc, s), 0.3) }, 2).ts;
  const g = (/** @type {string} */ k) => (samples[k] ? flops / median(samples[k]) / 1e9 : null);
  const row = { size: s, cublas: g('cublas'), tiled: g('tiled'), cpu: g('cpu'), ts: g('ts'), samples };
  gemmRows.push(row);
  console.log(`gemm ${s}²: ${Object.keys(samples).map((k) => `${k} ${g(k)?.toFixed(1)}`).join('  ')} GFLOP/s`);
}
addon.setGemm(info.cublas.loaded ? 'cublas' : 'tiled');

// ---- dense-res epoch -------------------------------------------------------
// The issue's yardstick is the 2-core cpu backend: on a larger host the cpu
// contender is pinned to two cores (taskset, two OpenBLAS threads). PyTorch on
// the same GPU runs too where a python with CUDA torch is found
// (GRADNODE_TORCH_PYTHON, else python3).
const root = path.join(__dirname, '..');
const ok = (/** @type {string} */ cmd, /** @type {string[]} */ argv) => spawnSync(cmd, argv, { stdio: 'ignore' }).status === 0;
const pin = os.cpus().length > 2 && ok('taskset', ['-c', '0,1', 'true']);
const python = process.env.GRADNODE_TORCH_PYTHON ?? 'python3';
const torchCuda = ok(python, ['-c', 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)']);
const epochOf = (/** @type {string} */ cmd, /** @type {string[]} */ argv, /** @type {Record<string, string>} */ env = {}) => () => {
  const size = smoke ? ['--train-size', '512', '--max-batches', '4'] : [];
  const r = spawnSync(cmd, [...argv, '--epochs', '2', ...size], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}').seconds;
};
const gradnodeStep = ['bench/peers/dense_res_gradnode.js', '--backend'];
const cpuName = pin ? 'cpu (2 cores)' : `cpu (${os.cpus().length} cores)`;
/** @type {Record<string, () => number>} */
const epochContenders = {
  cuda: epochOf(process.execPath, [...gradnodeStep, 'cuda']),
  [cpuName]: pin
    ? epochOf('taskset', ['-c', '0,1', process.execPath, ...gradnodeStep, 'cpu'], { OPENBLAS_NUM_THREADS: '2' })
    : epochOf(process.execPath, [...gradnodeStep, 'cpu']),
};
if (torchCuda) epochContenders['PyTorch cuda'] = epochOf(python, ['bench/peers/dense_res_torch.py', '--device', 'cuda']);
const epochs = interleave(epochContenders, quick || smoke ? 1 : Math.min(rounds, 3));
const epochRatio = median(epochs[cpuName]) / median(epochs.cuda);
for (const [name, times] of Object.entries(epochs)) {
  console.log(`dense-res epoch 2 on ${name}: ${median(times).toFixed(3)} s (${(median(times) / median(epochs.cuda)).toFixed(2)}× cuda's)`);
}

// ---- report ----------------------------------------------------------------
const f = (/** @type {number | null} */ x) => (x === null ? '–' : x.toFixed(1));
const table = markdownTable(
  ['float32 n×n×n', 'cuda cuBLAS GFLOP/s', 'cuda tiled GFLOP/s', 'tiled/cuBLAS', 'cpu GFLOP/s', 'ts GFLOP/s'],
  gemmRows.map((r) => [`${r.size}²`, f(r.cublas), f(r.tiled), r.cublas && r.tiled ? (r.tiled / r.cublas).toFixed(2) : '–', f(r.cpu), f(r.ts)]),
);
const epochTable = markdownTable(
  ['dense-res epoch (h=256, batch 128, 60,000 rows)', 'seconds (median)', 'best', 'time / cuda\'s'],
  Object.entries(epochs).map(([name, times]) => [name, median(times).toFixed(3), min(times).toFixed(3), (median(times) / median(epochs.cuda)).toFixed(2)]),
);
const epochLine = `Epoch 2 of 2, median of ${epochs.cuda.length} interleaved rounds: cuda is **${epochRatio.toFixed(1)}×** faster than ${cpuName} (target ≥ 10×)` +
  (torchCuda ? `; PyTorch on the same GPU takes ${(median(epochs['PyTorch cuda']) / median(epochs.cuda)).toFixed(2)}× cuda's time.` : '; no CUDA PyTorch was found to compare with.');
const header = `Command: \`node bench/cuda.js${quick ? ' --quick' : ''} --rounds ${rounds}\` on ${device}, host ${os.cpus().length} × ${os.cpus()[0].model.trim()} ` +
  `(the cpu GEMM column uses OpenBLAS with ${/** @type {any} */ (cpu).info().blasThreads} threads), ` +
  `${new Date().toISOString().slice(0, 10)}. Medians of interleaved rounds; GPU calls include a device synchronize.`;
console.log(`\n${table}\n\n${epochTable}\n\n${epochLine}`);
if (smoke) process.exit(0);
writeResult('cuda', { date: new Date().toISOString(), device, info, gemm: gemmRows, epochs });
if (!args.includes('--no-readme')) updateReadmeSection('cuda', `## CUDA vs CPU\n\n${header}\n\n${table}\n\n${epochTable}\n\n${epochLine}`);
