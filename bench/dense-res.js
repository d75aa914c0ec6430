#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * dense-res training epoch: gradnode (cpu and ts backends) against PyTorch,
 * NumPy (hand-written backward) and TensorFlow.js (wasm), each a separate
 * process from bench/peers/ speaking the protocol of bench/peers/README.md.
 * Every process trains 2 epochs; epoch 2 is timed (epoch 1 is warm-up).
 * Contenders run interleaved, round by round (A B C D E, A B C D E, ...).
 *
 *   node bench/dense-res.js [--rounds 3] [--hidden 256] [--quick] [--no-layernorm] [--no-readme]
 *
 * --quick: 6400 training samples and 1 round, a smoke test, not a measurement: it writes
 * bench/results/dense-res-quick.json and leaves the README alone.
 * The Python peers run under $BENCH_PYTHON (default /usr/bin/python3, Debian's, with torch and numpy).
 */
const os = require('node:os');
const path = require('node:path');
/** @typedef {import('./lib/epochs').EpochLine} EpochLine */
const { runEpochs } = require('./lib/epochs');
const { median, min, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const args = process.argv.slice(2);
/** @param {string} flag @param {number} fallback */
const numArg = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`bench/dense-res: ${flag} needs a positive integer`);
    process.exit(2);
  }
  return v;
};
const known = new Set(['--rounds', '--hidden', '--quick', '--no-readme', '--no-layernorm']);
for (let i = 0; i < args.length; i++) {
  if (!known.has(args[i])) {
    console.error(`bench/dense-res: unknown argument ${args[i]}\nusage: node bench/dense-res.js [--rounds 3] [--hidden 256] [--quick] [--no-layernorm] [--no-readme]`);
    process.exit(2);
  }
  if (args[i] === '--rounds' || args[i] === '--hidden') i++;
}
const quick = args.includes('--quick');
const rounds = numArg('--rounds', quick ? 1 : 3);
const hidden = numArg('--hidden', 256);
const layernorm = !args.includes('--no-layernorm');
const trainSize = quick ? 6400 : 60000;
const batchSize = 128;
const fullBatches = Math.ceil(trainSize / batchSize);
const SLICE = 20;
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const root = path.join(__dirname, '..');
const timeoutMs = (quick ? 10 : 40) * 60 * 1000;

/**
 * @typedef {{ name: string, cmd: string, script: string, extra: string[], slice: number, threadsNote: string }} Contender
 * @type {Contender[]}
 */
const contenders = [
  { name: 'gradnode cpu', cmd: process.execPath, script: 'bench/peers/dense_res_gradnode.js', extra: ['--backend', 'cpu'], slice: 0,
    threadsNote: 'the cpu backend (OpenBLAS threads as the addon sets them)' },
  { name: 'gradnode ts', cmd: process.execPath, script: 'bench/peers/dense_res_gradnode.js', extra: ['--backend', 'ts', '--max-batches', String(SLICE)], slice: SLICE,
    threadsNote: 'pure TypeScript, 1 thread' },
  { name: 'pytorch', cmd: python, script: 'bench/peers/dense_res_torch.py', extra: ['--threads', '1'], slice: 0,
    threadsNote: 'torch.set_num_threads(1) intra-op, OpenBLAS threads inside each GEMM' },
  { name: 'numpy', cmd: python, script: 'bench/peers/dense_res_numpy.py', extra: [], slice: 0,
    threadsNote: 'OpenBLAS threads inside each GEMM, the rest 1 thread' },
  { name: 'tfjs wasm', cmd: process.execPath, script: 'bench/peers/dense_res_tfjs.js', extra: ['--tf-backend', 'wasm', '--max-batches', String(SLICE)], slice: SLICE,
    threadsNote: 'wasm SIMD, 1 thread (tfjs has no multithreaded wasm in Node)' },
  // Informational: tfjs's own matMul gradient multiplies with transposeA/B flags, which its wasm backend runs
  // ~15x slower than a plain product; the same script with a customGrad that transposes explicitly.
  { name: 'tfjs wasm tuned', cmd: process.execPath, script: 'bench/peers/dense_res_tfjs.js', extra: ['--tf-backend', 'wasm', '--explicit-transpose', '--max-batches', String(SLICE)], slice: SLICE,
    threadsNote: 'wasm SIMD, 1 thread' },
];

/** Runs one contender's script for `epochs` epochs. @param {Contender} c @param {number} epochs */
function runContender(c, epochs) {
  return runEpochs(c.cmd, c.script, ['--epochs', String(epochs), '--hidden', String(hidden), '--batch-size', String(batchSize),
    '--train-size', String(trainSize), '--seed', '0', ...(layernorm ? [] : ['--no-layernorm']), ...c.extra], epochs, { root, timeoutMs });
}

/** Seconds for a full epoch from an epoch line (extrapolated from a slice). @param {EpochLine} e */
const fullEpochSeconds = (e) => e.seconds * fullBatches / e.batches;

const cmdLine = `node bench/dense-res.js${args.length ? ` ${args.join(' ')}` : ''}`;
console.log(`dense-res: ${rounds} round(s), h=${hidden}, batch ${batchSize}, ${trainSize} samples (${fullBatches} batches/epoch)${layernorm ? '' : ', no LayerNorm'}; epoch 2 of 2 timed`);

/** @type {Record<string, { seconds: number[], raw: EpochLine[][], error: string | null }>} */
const samples = {};
for (const c of contenders) samples[c.name] = { seconds: [], raw: [], error: null };
for (let r = 0; r < rounds; r++) {
  for (const c of contenders) {
    const s = samples[c.name];
    if (s.error) continue; // a contender that failed once is not retried
    const res = runContender(c, 2);
    if (!res.ok) {
      s.error = res.error;
      console.log(`  round ${r + 1} ${c.name.padEnd(13)} failed: ${res.error}`);
      continue;
    }
    const e2 = res.epochs[1];
    s.seconds.push(fullEpochSeconds(e2));
    s.raw.push(res.epochs);
    console.log(`  round ${r + 1} ${c.name.padEnd(13)} ${fullEpochSeconds(e2).toFixed(3).padStart(9)} s/epoch` +
      `${c.slice ? ` (${e2.batches} batches in ${e2.seconds.toFixed(3)} s)` : ''}  loss ${res.epochs[0].loss.toFixed(4)} -> ${e2.loss.toFixed(4)}  RSS ${e2.maxRssMB.toFixed(0)} MB`);
  }
}

// RSS over 5 epochs for gradnode cpu: it must stay flat after epoch 2.
const rssRun = runContender(contenders[0], 5);
const rssList = rssRun.ok ? rssRun.epochs.map((e) => e.maxRssMB) : null;
console.log(rssList ? `  gradnode cpu, 5 epochs: maxRssMB ${rssList.join(', ')}` : `  gradnode cpu, 5 epochs: failed: ${/** @type {any} */ (rssRun).error}`);

const base = samples['gradnode cpu'].seconds.length ? median(samples['gradnode cpu'].seconds) : null;
const summary = contenders.map((c) => {
  const s = samples[c.name];
  const ok = s.seconds.length > 0;
  const last = ok ? s.raw[s.raw.length - 1] : null;
  return {
    name: c.name,
    command: `${c.cmd === python ? python : 'node'} ${c.script} ${c.extra.join(' ')}`.trim(),
    extrapolated: c.slice > 0,
    error: s.error,
    medianSeconds: ok ? median(s.seconds) : null,
    bestSeconds: ok ? min(s.seconds) : null,
    ratioToGradnodeCpu: ok && base ? median(s.seconds) / base : null,
    lossEpoch2: last ? last[1].loss : null,
    peakRssMB: ok ? Math.max(...s.raw.map((e) => e[e.length - 1].maxRssMB)) : null,
    threads: (last && last[1].threads) || c.threadsNote,
    seconds: s.seconds,
    epochs: s.raw,
  };
});

const f3 = (/** @type {number | null} */ x) => (x == null ? '–' : x.toFixed(3));
const label = (/** @type {typeof summary[number]} */ r) => (r.extrapolated ? `${r.name} (${SLICE}-batch slice, extrapolated)` : r.name);
const table = markdownTable(
  ['contender', 's/epoch median', 's/epoch best', '× gradnode cpu (median/median)', 'loss (epoch 2)', 'peak RSS MB'],
  summary.map((r) => (r.medianSeconds == null
    ? [label(r), `failed: ${r.error}`, '', '', '', '']
    : [label(r), f3(r.medianSeconds), f3(r.bestSeconds), r.ratioToGradnodeCpu == null ? '–' : r.ratioToGradnodeCpu.toFixed(2),
      /** @type {number} */ (r.lossEpoch2).toFixed(4), /** @type {number} */ (r.peakRssMB).toFixed(0)])),
);

const byName = Object.fromEntries(summary.map((r) => [r.name, r]));
/** gradnode cpu median / other median, or null. @param {string} other */
const ratioTo = (other) => (base && byName[other].medianSeconds ? base / /** @type {number} */ (byName[other].medianSeconds) : null);
const targets = [
  { target: 'gradnode cpu epoch ≤ 0.6 × PyTorch\'s', value: ratioTo('pytorch'), ok: (/** @type {number} */ v) => v <= 0.6, show: (/** @type {number} */ v) => `${v.toFixed(2)} ×` },
  { target: 'gradnode cpu epoch ≤ 0.8 × NumPy\'s', value: ratioTo('numpy'), ok: (/** @type {number} */ v) => v <= 0.8, show: (/** @type {number} */ v) => `${v.toFixed(2)} ×` },
  { target: 'gradnode cpu ≥ 50 × faster than tfjs wasm', value: (() => { const v = ratioTo('tfjs wasm'); return v ? 1 / v : null; })(),
    ok: (/** @type {number} */ v) => v >= 50, show: (/** @type {number} */ v) => `${v.toFixed(1)} × faster` },
].map((t) => ({ target: t.target, measured: t.value == null ? 'n/a' : t.show(t.value), met: t.value == null ? null : t.ok(t.value) }));
const tunedRatio = ratioTo('tfjs wasm tuned');
const tunedNote = tunedRatio ? ` (against tfjs wasm tuned, whose matMul gradient transposes explicitly: ${(1 / tunedRatio).toFixed(1)} × faster)` : '';

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${os.platform()} ${os.release()}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const threadsSentence = 'Threads: ' + summary.map((r) => `${r.name}: ${r.threads}`).join('; ') + '.';
const header = `Command: \`${cmdLine}\` on ${machine}, ${date}. ` +
  `Each contender is its own process (\`bench/peers/\`, protocol in \`bench/peers/README.md\`) training the dense-res model ` +
  `(h=${hidden}, batch ${batchSize}, ${trainSize} samples, SGD lr 0.01${layernorm ? ', LayerNorm' : ', no LayerNorm'}) for 2 epochs; ` +
  `the table gives epoch 2 (epoch 1 is warm-up: allocation, JIT, wasm start-up), median and best of ${rounds} interleaved round(s). ` +
  `An epoch's time covers its shuffle, minibatch gathering and the training steps (forward, backward, SGD update), not start-up or data generation. ` +
  `Inputs are random floats in [0,1) and random labels 0..9, generated by each script: the timing does not depend on the values (no data-dependent branches beyond ReLU). ` +
  `Rows marked extrapolated ran at most ${SLICE} batches of each epoch, scaled to the full ${fullBatches}. ` +
  '"tfjs wasm" is idiomatic TensorFlow.js (tf.variableGrads, tfjs\'s own gradients); "tfjs wasm tuned" is the same script with ' +
  '`--explicit-transpose`: a tf.customGrad matMul whose backward transposes explicitly, because the wasm backend runs ' +
  'matMul with transposeA/transposeB (what tfjs\'s matMul gradient uses) about 15× slower than a plain product.';
const rssLine = rssList
  ? `gradnode cpu peak RSS after each of 5 epochs (one run): ${rssList.map((x) => x.toFixed(1)).join(', ')} MB.`
  : `gradnode cpu 5-epoch RSS run: failed: ${/** @type {any} */ (rssRun).error}.`;
const targetLines = targets.map((t, i) => `- ${t.target}: ${t.measured}${t.met == null ? '' : t.met ? ' — met' : ' — not met'}${i === 2 ? tunedNote : ''}`).join('\n');

console.log(`\n${table}\n\n${threadsSentence}\n${rssLine}\n\nTargets:\n${targetLines}`);
writeResult(quick ? 'dense-res-quick' : 'dense-res', {
  date: new Date().toISOString(), command: cmdLine, machine, rounds, hidden, batchSize, trainSize, layernorm, fullBatches, slice: SLICE,
  contenders: summary, gradnodeCpuRss5Epochs: rssList, targets, tfjsTunedSpeedup: tunedRatio ? 1 / tunedRatio : null,
});
if (!quick && !args.includes('--no-readme')) {
  updateReadmeSection('dense-res', `## dense-res training epoch\n\n${header}\n\n${table}\n\n${threadsSentence}\n\n${rssLine}\n\nTargets:\n\n${targetLines}`);
}
