#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * One full-batch gradient-descent epoch of the `mlp` experiment's model
 * (784,300,100,10 on 60,000 rows): gradnode's manual implementation on the
 * cpu backend against PyTorch (nn.Linear + ReLU + cross-entropy, SGD). One
 * process per contender, interleaved round by round; each runs 3 epochs and
 * the median of epochs 2 and 3 is its sample (epoch 1 is warm-up).
 *
 *   node bench/mlp.js [--rounds 5] [--no-readme]
 */
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { median, min, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const common = ['--epochs', '3', '--train-size', '60000', '--shape', '784,300,100,10', '--lr', '0.1'];
const contenders = [
  { name: 'gradnode cpu (manual)', cmd: process.execPath, script: 'peers/mlp_gradnode.js', extra: ['--backend', 'cpu'] },
  { name: 'pytorch', cmd: python, script: 'peers/mlp_torch.py', extra: ['--threads', '1'] },
];

/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
/** @type {Record<string, string>} */
const threads = {};
for (let r = 1; r <= rounds; r++) {
  for (const c of contenders) {
    const run = spawnSync(c.cmd, [path.join(__dirname, c.script), ...common, ...c.extra], { encoding: 'utf8' });
    if (run.status !== 0) {
      console.error(`${c.name} failed: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`);
      process.exit(1);
    }
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const s = median(lines.slice(1).map((l) => l.seconds));
    samples[c.name].push(s);
    threads[c.name] = lines[0].threads;
    console.log(`round ${r} ${c.name.padEnd(22)} ${s.toFixed(3)} s/epoch`);
  }
}
const base = median(samples[contenders[0].name]);
const rows = contenders.map((c) => [c.name, median(samples[c.name]).toFixed(3), min(samples[c.name]).toFixed(3),
  (median(samples[c.name]) / base).toFixed(2), threads[c.name]]);
const table = markdownTable(['contender', 's/epoch median', 's/epoch best', '× gradnode (median/median)', 'threads'], rows);
const ratio = base / median(samples.pytorch);
const verdict = `Target: gradnode's epoch no slower than PyTorch's: ${ratio.toFixed(2)} × PyTorch's time — ${ratio <= 1 ? 'met' : 'not met'}.`;
console.log(`\n${table}\n\n${verdict}`);
writeResult('mlp', { date: new Date().toISOString(), rounds, samples, threads });
if (!args.includes('--no-readme')) {
  updateReadmeSection('mlp', `## mlp full-batch epoch\n\nCommand: \`node bench/mlp.js --rounds ${rounds}\` on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ` +
    `${new Date().toISOString().slice(0, 10)}. One full-batch gradient-descent step (forward, backward, update) of a 784,300,100,10 ReLU MLP ` +
    'with cross-entropy on 60,000 random rows; each contender is its own process, 3 epochs, the median of epochs 2–3 is one sample; ' +
    `median and best over ${rounds} interleaved rounds.\n\n${table}\n\n${verdict}`);
}
