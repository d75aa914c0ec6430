#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * fashion-mlp training epoch: the `fashion-mlp` experiment's step on the cpu backend (the hand-written
 * default, and the nn.Sequential + autograd + optim.Adam path) against PyTorch 1.13 on the same network
 * (784-256-128-10 ReLU), batch (128), optimizer (Adam lr 1e-3) and data (the Fashion-MNIST training images).
 * One process per contender (bench/peers/fashion_mlp_*.{js,py}), interleaved round by round; each trains
 * 3 epochs, epoch 1 is warm-up and epochs 2 and 3 are samples.
 *
 *   node bench/fashion-mlp.js [--rounds 5] [--quick] [--no-readme]
 *
 * --quick: 6400 training images and 1 round, a smoke test, not a measurement: it writes
 * bench/results/fashion-mlp-quick.json and leaves the README alone.
 * PyTorch runs under $BENCH_PYTHON (default /usr/bin/python3, Debian's, with torch).
 */
const os = require('node:os');
const path = require('node:path');
/** @typedef {import('./lib/epochs').EpochLine} EpochLine */
const { runEpochs } = require('./lib/epochs');
const { median, min, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const USAGE = 'usage: node bench/fashion-mlp.js [--rounds 5] [--quick] [--no-readme]';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') {
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v <= 0) {
      console.error(`bench/fashion-mlp: --rounds needs a positive integer\n${USAGE}`);
      process.exit(2);
    }
    i++;
  } else if (args[i] !== '--quick' && args[i] !== '--no-readme') {
    console.error(`bench/fashion-mlp: unknown argument ${args[i]}\n${USAGE}`);
    process.exit(2);
  }
}
const quick = args.includes('--quick');
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : quick ? 1 : 5;
const trainSize = quick ? 6400 : 60000;
const batchSize = 128;
const hidden = '256,128';
const lr = 0.001;
const EPOCHS = 3;
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const root = path.join(__dirname, '..');
const timeoutMs = (quick ? 5 : 20) * 60 * 1000;

/**
 * @typedef {{ name: string, cmd: string, script: string, extra: string[] }} Contender
 * @type {Contender[]}
 */
const contenders = [
  { name: 'gradnode cpu', cmd: process.execPath, script: 'bench/peers/fashion_mlp_gradnode.js', extra: ['--backend', 'cpu', '--impl', 'manual'] },
  { name: 'gradnode cpu (nn + autograd)', cmd: process.execPath, script: 'bench/peers/fashion_mlp_gradnode.js', extra: ['--backend', 'cpu', '--impl', 'nn'] },
  { name: 'pytorch', cmd: python, script: 'bench/peers/fashion_mlp_torch.py', extra: ['--threads', '1'] },
];

/** @param {Contender} c */
function runContender(c) {
  return runEpochs(c.cmd, c.script, ['--epochs', String(EPOCHS), '--hidden', hidden, '--batch-size', String(batchSize),
    '--train-size', String(trainSize), '--lr', String(lr), '--seed', '0', ...c.extra], EPOCHS, { root, timeoutMs });
}

const cmdLine = `node bench/fashion-mlp.js${args.length ? ` ${args.join(' ')}` : ''}`;
const batches = Math.ceil(trainSize / batchSize);
console.log(`fashion-mlp: ${rounds} round(s), 784-${hidden.replace(',', '-')}-10, batch ${batchSize}, Adam lr ${lr}, `
  + `${trainSize} Fashion-MNIST images (${batches} batches/epoch); epochs 2-${EPOCHS} of ${EPOCHS} timed`);

/** @type {Record<string, { seconds: number[], raw: EpochLine[][], error: string | null }>} */
const samples = {};
for (const c of contenders) samples[c.name] = { seconds: [], raw: [], error: null };
for (let r = 0; r < rounds; r++) {
  for (const c of contenders) {
    const s = samples[c.name];
    if (s.error) continue; // a contender that failed once is not retried
    const res = runContender(c);
    if (!res.ok) {
      s.error = res.error;
      console.log(`  round ${r + 1} ${c.name.padEnd(28)} failed: ${res.error}`);
      continue;
    }
    const timed = res.epochs.slice(1).map((e) => e.seconds);
    s.seconds.push(...timed);
    s.raw.push(res.epochs);
    console.log(`  round ${r + 1} ${c.name.padEnd(28)} ${timed.map((t) => t.toFixed(3)).join(', ')} s/epoch  `
      + `loss ${res.epochs.map((e) => e.loss.toFixed(4)).join(' -> ')}  RSS ${res.epochs[EPOCHS - 1].maxRssMB.toFixed(0)} MB`);
  }
}

const base = samples[contenders[0].name].seconds.length ? median(samples[contenders[0].name].seconds) : null;
const summary = contenders.map((c) => {
  const s = samples[c.name];
  const ok = s.seconds.length > 0;
  const last = ok ? s.raw[s.raw.length - 1] : null;
  return {
    name: c.name,
    command: `${c.cmd === python ? python : 'node'} ${c.script} ${c.extra.join(' ')}`.trim(),
    error: s.error,
    medianSeconds: ok ? median(s.seconds) : null,
    bestSeconds: ok ? min(s.seconds) : null,
    ratioToGradnodeCpu: ok && base ? median(s.seconds) / base : null,
    lossLastEpoch: last ? last[EPOCHS - 1].loss : null,
    peakRssMB: ok ? Math.max(...s.raw.map((e) => e[e.length - 1].maxRssMB)) : null,
    threads: (last && last[EPOCHS - 1].threads) || '',
    seconds: s.seconds,
    epochs: s.raw,
  };
});

const f3 = (/** @type {number | null} */ x) => (x == null ? '–' : x.toFixed(3));
const table = markdownTable(
  ['contender', 's/epoch median', 's/epoch best', '× gradnode cpu (median/median)', `loss (epoch ${EPOCHS})`, 'peak RSS MB'],
  summary.map((r) => (r.medianSeconds == null
    ? [r.name, `failed: ${r.error}`, '', '', '', '']
    : [r.name, f3(r.medianSeconds), f3(r.bestSeconds), r.ratioToGradnodeCpu == null ? '–' : r.ratioToGradnodeCpu.toFixed(2),
      /** @type {number} */ (r.lossLastEpoch).toFixed(4), /** @type {number} */ (r.peakRssMB).toFixed(0)])),
);
const torch = summary.find((r) => r.name === 'pytorch');
const ratio = base && torch && torch.medianSeconds ? base / torch.medianSeconds : null;
const target = {
  target: 'gradnode cpu epoch ≤ 0.8 × PyTorch\'s (median/median)',
  measured: ratio == null ? 'n/a' : `${ratio.toFixed(2)} ×`,
  met: ratio == null ? null : ratio <= 0.8,
};
const targetLine = `Target: ${target.target}: ${target.measured}${target.met == null ? '' : target.met ? ' — met' : ' — not met'}.`;

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${os.platform()} ${os.release()}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const threadsSentence = 'Threads: ' + summary.map((r) => `${r.name}: ${r.threads || 'n/a'}`).join('; ') + '.';
const header = `Command: \`${cmdLine}\` on ${machine}, ${date}. ` +
  'Each contender is its own process (`bench/peers/fashion_mlp_gradnode.js`, `bench/peers/fashion_mlp_torch.py`; epoch lines as in ' +
  '`bench/peers/README.md`) training the `fashion-mlp` network (784-256-128-10, ReLU, PyTorch\'s default initialisation, ' +
  `softmax cross-entropy, Adam lr ${lr}, batch ${batchSize}) on the first ${trainSize} Fashion-MNIST training images for ${EPOCHS} epochs; ` +
  `epoch 1 is warm-up, epochs 2 and 3 are samples: median and best of ${2 * rounds} samples from ${rounds} interleaved round(s). ` +
  'An epoch covers its shuffle, minibatch gathering and the training steps (forward, backward, Adam update, the loss read back every step), ' +
  'not start-up or data loading. "gradnode cpu" is what `node dist/run.js fashion-mlp` runs (`--impl manual`: the hand-written step on ' +
  'the fused kernels, buffers allocated once); "gradnode cpu (nn + autograd)" is `--impl nn` (nn.Sequential of nn.Linear, ' +
  'nn.functional.crossEntropy, autograd, optim.Adam). PyTorch: nn.Sequential, F.cross_entropy, torch.optim.Adam, X[torch.randperm] ' +
  'minibatches, torch.set_num_threads(1) as the other peers (OpenBLAS runs its own threads inside each GEMM).';

console.log(`\n${table}\n\n${threadsSentence}\n${targetLine}`);
writeResult(quick ? 'fashion-mlp-quick' : 'fashion-mlp', {
  date: new Date().toISOString(), command: cmdLine, machine, rounds, epochs: EPOCHS, hidden, batchSize, lr, trainSize,
  contenders: summary, target,
});
if (!quick && !args.includes('--no-readme')) {
  updateReadmeSection('fashion-mlp', `## fashion-mlp training epoch\n\n${header}\n\n${table}\n\n${threadsSentence}\n\n${targetLine}`);
}
