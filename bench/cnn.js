#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The `cnn` experiment's training step (batch 128, 1×28×28 inputs, Adam):
 * gradnode's cpu backend against PyTorch 1.13 on the CPU, one process per
 * contender (bench/peers/cnn_gradnode.js, bench/peers/cnn_torch.py),
 * interleaved round by round; each process times --batches steps after
 * --warmup, and the epoch time is that × 469 (60,000 / 128). Then, in this
 * process, each convolution's forward + backward GFLOP/s next to the GEMMs
 * alone (the same per-image products through the cpu addon → OpenBLAS): the
 * ceiling im2col + GEMM can reach.
 *
 *   node bench/cnn.js [--rounds 5] [--batches 40] [--torch-threads 2] [--quick] [--no-readme]
 *
 * --quick: 1 round of 8 batches, a smoke test; it leaves the README alone.
 * PyTorch runs under $BENCH_PYTHON (default /usr/bin/python3, Debian's, with torch).
 */
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { median, min, timeCalls, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const usage = 'usage: node bench/cnn.js [--rounds 5] [--batches 40] [--torch-threads 2] [--quick] [--no-readme]';
const args = process.argv.slice(2);
const valued = new Set(['--rounds', '--batches', '--torch-threads']);
for (let i = 0; i < args.length; i++) {
  if (!valued.has(args[i]) && args[i] !== '--quick' && args[i] !== '--no-readme') {
    console.error(`bench/cnn: unknown argument ${args[i]}\n${usage}`);
    process.exit(2);
  }
  if (valued.has(args[i])) i++;
}
/** @param {string} flag @param {number} fallback */
const numArg = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`bench/cnn: ${flag} needs a positive integer\n${usage}`);
    process.exit(2);
  }
  return v;
};
const quick = args.includes('--quick');
const rounds = numArg('--rounds', quick ? 1 : 5);
const batches = numArg('--batches', quick ? 8 : 40);
const torchThreads = numArg('--torch-threads', os.cpus().length);
const BATCH = 128, EPOCH_BATCHES = Math.ceil(60000 / BATCH);
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const root = path.join(__dirname, '..');

const contenders = [
  { name: 'gradnode cpu', cmd: process.execPath, script: 'peers/cnn_gradnode.js', extra: ['--backend', 'cpu'] },
  { name: 'pytorch', cmd: python, script: 'peers/cnn_torch.py', extra: ['--threads', String(torchThreads)] },
];

/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
/** @type {Record<string, string>} */
const threads = {};
for (let r = 0; r < rounds; r++) {
  for (const c of contenders) {
    const run = spawnSync(c.cmd, [path.join(__dirname, c.script), '--batches', String(batches), '--warmup', '3', ...c.extra],
      { cwd: root, encoding: 'utf8', timeout: 30 * 60 * 1000 });
    if (run.status !== 0) {
      console.error(`bench/cnn: ${c.name} failed: ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`);
      process.exit(1);
    }
    const line = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    samples[c.name].push(line.secondsPerBatch * EPOCH_BATCHES);
    threads[c.name] = line.threads;
  }
  process.stderr.write(`bench/cnn: round ${r + 1}/${rounds}\n`);
}
const ours = median(samples['gradnode cpu']), torch = median(samples.pytorch);
const epochRows = contenders.map((c) => [c.name, median(samples[c.name]).toFixed(2), min(samples[c.name]).toFixed(2),
  (median(samples[c.name]) / torch).toFixed(2), threads[c.name]]);

// ---- each convolution: forward + backward against its GEMMs alone -------------------------------------------
const { backend } = require(path.join(root, 'dist/backend'));
const { Tensor } = require(path.join(root, 'dist/tensor'));
const { Generator } = require(path.join(root, 'dist/random'));
const { Conv2d, MaxPool2d, Sequential } = require(path.join(root, 'dist/nn'));
const cpu = backend('cpu');
const gen = new Generator(1);
const layers = [
  { name: 'conv1 1→32 on 28×28', C: 1, O: 32, H: 28, inputGrad: false },
  { name: 'conv2 32→64 on 14×14', C: 32, O: 64, H: 14, inputGrad: true },
];
const layerRows = layers.map((l) => {
  const conv = new Conv2d(l.C, l.O, 3, { padding: 1, activation: 'relu', backend: cpu, generator: gen });
  const x = Tensor.rand([BATCH, l.C, l.H, l.H], { backend: cpu, generator: gen }).requiresGrad_(l.inputGrad);
  const dOut = Tensor.rand([BATCH, l.O, l.H, l.H], { backend: cpu, generator: gen });
  const R = l.C * 9, L = l.H * l.H;
  // forward W·cols, dW = dZ·colsᵀ, and (conv2) dCols = Wᵀ·dZ: 2·O·L·R flops each, per image.
  const flops = (l.inputGrad ? 3 : 2) * 2 * l.O * L * R * BATCH;
  const layerTime = () => timeCalls(() => { conv.weight.grad = null; conv.forward(x).backward(dOut); }, quick ? 0.2 : 1);
  // The network's pair: Conv2d then MaxPool2d(2), which nn.Sequential runs as one fused op.
  const pair = new Sequential(conv, new MaxPool2d(2));
  const dPooled = Tensor.rand([BATCH, l.O, l.H / 2, l.H / 2], { backend: cpu, generator: gen });
  const pairTime = () => timeCalls(() => { conv.weight.grad = null; pair.forward(x).backward(dPooled); }, quick ? 0.2 : 1);
  const a = new Float32Array(l.O * R), cols = new Float32Array(BATCH * R * L), out = new Float32Array(BATCH * l.O * L), dw = new Float32Array(l.O * R);
  const gemmTime = () => timeCalls(() => {
    for (let n = 0; n < BATCH; n++) {
      const c = cols.subarray(n * R * L, (n + 1) * R * L), o = out.subarray(n * l.O * L, (n + 1) * l.O * L);
      cpu.gemm(false, false, l.O, L, R, 1, a, R, c, L, 0, o, L);
      cpu.gemm(false, true, l.O, R, L, 1, o, L, c, L, n === 0 ? 0 : 1, dw, R);
      if (l.inputGrad) cpu.gemm(true, false, R, L, l.O, 1, a, R, o, L, 0, c, L);
    }
  }, quick ? 0.2 : 1);
  const layerS = [], gemmS = [], pairS = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) { layerS.push(layerTime()); gemmS.push(gemmTime()); pairS.push(pairTime()); }
  const ls = median(layerS), gs = median(gemmS), ps = median(pairS);
  return [l.name, (flops / ls / 1e9).toFixed(1), (flops / ps / 1e9).toFixed(1), (flops / gs / 1e9).toFixed(1), (gs / ls).toFixed(2),
    (ls * 1e3).toFixed(1), (ps * 1e3).toFixed(1), (gs * 1e3).toFixed(1)];
});

const ratio = ours / torch;
const body = `## cnn training epoch

Command: \`node bench/cnn.js${rounds !== 5 ? ` --rounds ${rounds}` : ''}${batches !== 40 ? ` --batches ${batches}` : ''}\` on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${new Date().toISOString().slice(0, 10)}. `
  + `The \`cnn\` experiment's network (conv 1→32, pool, conv 32→64, pool, FC 3136→128, FC 10; ReLUs fused) on random 1×28×28 float32 batches of ${BATCH}, `
  + `cross-entropy, Adam: one process per contender, ${batches} timed steps after 3 warm-up steps, × ${EPOCH_BATCHES} steps per 60,000-image epoch; `
  + `median and best of ${rounds} interleaved rounds.

| contender | s/epoch median | s/epoch best | × PyTorch (median/median) | threads |
| --- | --- | --- | --- | --- |
${epochRows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

Target: our epoch ≤ 0.5 × PyTorch's: ${ratio.toFixed(2)} × — ${ratio <= 0.5 ? 'met' : 'NOT met'}.

Each convolution of the network, batch ${BATCH}, forward + backward (weight gradient; input gradient for conv2 only, conv1's input needs none) through \`nn.Conv2d\` `
  + `(the cpu addon's fused conv2dForward / conv2dBackward: images split between threads, each image's im2col, single-threaded GEMMs, bias and ReLU, col2im in cache), `
  + `and through the network's Conv2d + MaxPool2d(2) pair (fused by nn.Sequential: the convolution's output is never stored), `
  + `next to the same GEMMs alone (cpu addon → OpenBLAS with its threads, per image, no im2col): GFLOP/s count the GEMMs' 2·m·n·k only.

${markdownTable(['layer', 'Conv2d fwd+bwd GFLOP/s', 'Conv2d+MaxPool2d GFLOP/s', 'GEMMs alone GFLOP/s', 'Conv2d share of the GEMM ceiling', 'Conv2d ms', 'Conv2d+MaxPool2d ms', 'GEMMs ms'], layerRows)}`;
console.log(body);
const file = writeResult(quick ? 'cnn-quick' : 'cnn', { rounds, batches, samples, threads, layers: layerRows, ratio });
console.log(`\nbench/cnn: results in ${path.relative(process.cwd(), file)}`);
if (!quick && !args.includes('--no-readme')) updateReadmeSection('cnn', body);
