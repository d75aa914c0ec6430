// @ts-check
'use strict';
/**
 * gradnode peer of bench/svm.js: ml.SVC fit / predict, or the whole ml.GridSearchCV, on the files it writes.
 *
 *   node bench/peers/svm_gradnode.js --data DIR --task fit|grid [--repeats 3] [--backend cpu]
 *
 * Prints one JSON line per repeat, as bench/peers/svm_sklearn.py.
 */
const fs = require('node:fs');
const { argReader } = require('../lib/args');
const { Tensor, getBackend, ml } = require('../../dist');

const arg = argReader(process.argv.slice(2));
const dir = arg('data', '');
const task = arg('task', 'fit');
const repeats = Number(arg('repeats', '1'));
const be = getBackend(/** @type {'cpu' | 'ts'} */ (arg('backend', 'cpu')));
const meta = JSON.parse(fs.readFileSync(`${dir}/meta.json`, 'utf8'));
const load = (/** @type {string} */ name) => {
  const bytes = fs.readFileSync(`${dir}/${name}`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return new Tensor(values, [values.length / meta.features, meta.features], be);
};
const Xtr = load('Xtrain.f32');
const Xva = load('Xval.f32');
for (let r = 0; r < repeats; r++) {
  if (task === 'fit') {
    let t = performance.now();
    const clf = new ml.SVC({ C: 1, kernel: 'rbf', gamma: 'auto' }).fit(Xtr, meta.ytrain);
    const fit = (performance.now() - t) / 1000;
    t = performance.now();
    const acc = clf.score(Xva, meta.yval);
    const pred = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ fitSeconds: fit, predictSeconds: pred, accuracy: acc, svRatio: clf.support.length / meta.ytrain.length }));
  } else {
    const grid = { C: [0.1, 1, 10], gamma: ['auto', 'scale', 0.01, 0.1], kernel: ['rbf', 'linear', 'poly'] };
    const t = performance.now();
    const gs = new ml.GridSearchCV({ estimator: (/** @type {ml.SVCOptions} */ p) => new ml.SVC(p), paramGrid: grid, cv: 3 }).fit(Xtr, meta.ytrain);
    const sec = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ gridSeconds: sec, best: gs.bestParams, cvScore: gs.bestScore, accuracy: gs.score(Xva, meta.yval) }));
  }
}
