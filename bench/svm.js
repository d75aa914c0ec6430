#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * svm: ml.SVC on the cpu backend against scikit-learn 1.2 (libsvm) on the same data: the `svm`
 * experiment's MNIST set (1000 random images per digit, [0, 1] pixels, 14×14, 80/20 stratified
 * split, seed 0), written once to a temporary folder and read by both peers
 * (bench/peers/svm_{gradnode.js,sklearn.py}), one process per contender, interleaved round by round.
 * - fit: SVC(C=1, rbf, gamma='auto'); each round fits 3 times (medians over all fits), then predicts
 *   the 2000 validation images.
 * - grid (unless --no-grid): the whole GridSearchCV (3-fold; C ∈ {0.1, 1, 10}, gamma ∈ {auto, scale,
 *   0.01, 0.1}, kernel ∈ {rbf, linear, poly}; refit included), once per contender per grid round.
 *
 *   node bench/svm.js [--rounds 3] [--grid-rounds 1] [--no-grid] [--no-readme]
 *
 * scikit-learn runs under $BENCH_PYTHON (default /usr/bin/python3, Debian's, with python3-sklearn).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { median, min, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');
const { argReader } = require('./lib/args');

const argv = process.argv.slice(2);
const arg = argReader(argv);
const known = new Set(['--rounds', '--grid-rounds', '--no-grid', '--no-readme']);
for (let i = 0; i < argv.length; i++) {
  if (!known.has(argv[i]) || (argv[i].endsWith('rounds') && !(Number(argv[i + 1]) > 0))) {
    console.error(`bench/svm: bad argument ${argv[i]}\nusage: node bench/svm.js [--rounds 3] [--grid-rounds 1] [--no-grid] [--no-readme]`);
    process.exit(2);
  }
  if (argv[i].endsWith('rounds')) i++;
}
const rounds = Number(arg('rounds', '3'));
const gridRounds = argv.includes('--no-grid') ? 0 : Number(arg('grid-rounds', '1'));
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const root = path.join(__dirname, '..');

const { getBackend } = require('../dist');
const { prepareSvmData } = require('../dist/experiments/svm/data');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-svm-'));
const data = prepareSvmData({ seed: 0, perClass: 1000, size: 14, validation: 0.2, backend: getBackend('cpu') });
fs.writeFileSync(path.join(dir, 'Xtrain.f32'), Buffer.from(data.Xtrain.toTypedArray().buffer));
fs.writeFileSync(path.join(dir, 'Xval.f32'), Buffer.from(data.Xval.toTypedArray().buffer));
fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ features: 196, ytrain: Array.from(data.ytrain), yval: Array.from(data.yval) }));

const contenders = [
  { name: 'gradnode cpu', cmd: process.execPath, script: 'bench/peers/svm_gradnode.js' },
  { name: 'scikit-learn', cmd: python, script: 'bench/peers/svm_sklearn.py' },
];
/** @param {{ cmd: string, script: string }} c @param {string} task @param {number} repeats */
function run(c, task, repeats) {
  const out = execFileSync(c.cmd, [c.script, '--data', dir, '--task', task, '--repeats', String(repeats)], { cwd: root, encoding: 'utf8', timeout: 30 * 60 * 1000 });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

console.log(`svm: ${data.ytrain.length} train / ${data.yval.length} validation images of 196 features; ${rounds} fit round(s), ${gridRounds} grid round(s)`);
/** @type {Record<string, any[]>} */
const fits = {};
/** @type {Record<string, any[]>} */
const grids = {};
for (const c of contenders) { fits[c.name] = []; grids[c.name] = []; }
for (let r = 0; r < rounds; r++) {
  for (const c of contenders) {
    const res = run(c, 'fit', 3);
    fits[c.name].push(...res);
    console.log(`  fit round ${r + 1} ${c.name.padEnd(14)} fit ${res.map((x) => x.fitSeconds.toFixed(3)).join(', ')} s, predict ${res[0].predictSeconds.toFixed(3)} s, accuracy ${res[0].accuracy.toFixed(4)}, SV ratio ${res[0].svRatio.toFixed(4)}`);
  }
}
for (let r = 0; r < gridRounds; r++) {
  for (const c of contenders) {
    const [res] = run(c, 'grid', 1);
    grids[c.name].push(res);
    console.log(`  grid round ${r + 1} ${c.name.padEnd(14)} ${res.gridSeconds.toFixed(1)} s, best ${JSON.stringify(res.best)}, CV ${res.cvScore.toFixed(4)}, validation ${res.accuracy.toFixed(4)}`);
  }
}
fs.rmSync(dir, { recursive: true, force: true });

const sk = contenders[1].name;
const fitMedian = (/** @type {string} */ n) => median(fits[n].map((x) => x.fitSeconds));
const predMedian = (/** @type {string} */ n) => median(fits[n].map((x) => x.predictSeconds));
const gridMedian = (/** @type {string} */ n) => (grids[n].length ? median(grids[n].map((x) => x.gridSeconds)) : null);
const f3 = (/** @type {number | null} */ x) => (x == null ? '–' : x.toFixed(3));
const fitTable = markdownTable(
  ['contender', 'fit s median', 'fit s best', 'fit × scikit-learn', 'predict s median', 'validation accuracy', 'SV ratio'],
  contenders.map((c) => [c.name, f3(fitMedian(c.name)), f3(min(fits[c.name].map((x) => x.fitSeconds))), (fitMedian(c.name) / fitMedian(sk)).toFixed(2),
    f3(predMedian(c.name)), fits[c.name][0].accuracy.toFixed(4), fits[c.name][0].svRatio.toFixed(4)]),
);
const gridTable = gridRounds ? markdownTable(
  ['contender', 'whole grid s', 'grid × scikit-learn', 'best', 'CV accuracy', 'validation accuracy (refit)'],
  contenders.map((c) => {
    const g = grids[c.name][grids[c.name].length - 1];
    return [c.name, /** @type {number} */ (gridMedian(c.name)).toFixed(1), (/** @type {number} */ (gridMedian(c.name)) / /** @type {number} */ (gridMedian(sk))).toFixed(2),
      `C=${g.best.C}, gamma=${g.best.gamma}, ${g.best.kernel}`, g.cvScore.toFixed(4), g.accuracy.toFixed(4)];
  }),
) : '';
console.log(`\n${fitTable}\n\n${gridTable}`);
writeResult('svm', { rounds, gridRounds, fits, grids });
if (!argv.includes('--no-readme')) {
  updateReadmeSection('svm', `### svm: ml.SVC against scikit-learn 1.2\n\n\`node bench/svm.js${argv.length ? ` ${argv.join(' ')}` : ''}\` `
    + `(${new Date().toISOString().slice(0, 10)}; same data for both: 8000 train / 2000 validation MNIST images, 14×14; targets: fit ≤ 1.0×, whole grid ≤ 0.5×)\n\n`
    + `${fitTable}\n\n${gridTable}\n`);
}
