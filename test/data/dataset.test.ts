import test from 'ava';
import {
  classBalancedSubsample, gatherRows, MinibatchLoader, randomSplit, sampleBatch, stratifiedSplit, subset, toTensor,
  type ImageDataset,
} from '../../src/data/dataset';
import { DataError } from '../../src/data/errors';
import { Generator } from '../../src/random';

/** n samples of shape [1, 2, 3]: sample i holds i*10 + j; label i % classes. */
function toyDataset(n: number, classes = 4): ImageDataset {
  const images = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) for (let j = 0; j < 6; j++) images[i * 6 + j] = i * 10 + j;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % classes;
  return { images, labels, n, shape: [1, 2, 3], classes, name: 'toy' };
}

/** Labels with the given number of samples per class, interleaved. */
function labelsWithCounts(counts: number[]): Int32Array {
  const out: number[] = [];
  const left = [...counts];
  while (left.some((c) => c > 0)) {
    left.forEach((c, k) => {
      if (c > 0) { out.push(k); left[k]--; }
    });
  }
  return Int32Array.from(out);
}

function countPerClass(labels: ArrayLike<number>, indices: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < indices.length; i++) counts[labels[indices[i]]]++;
  return counts;
}

test('gatherRows copies rows in order and reuses the output buffer', (t) => {
  const src = Float32Array.from({ length: 12 }, (_, i) => i);
  t.deepEqual([...gatherRows(src, 3, [2, 0, 2])], [6, 7, 8, 0, 1, 2, 6, 7, 8]);
  const out = new Float32Array(6);
  t.is(gatherRows(src, 3, Int32Array.of(3, 1), out), out);
  t.deepEqual([...out], [9, 10, 11, 3, 4, 5]);
  // Long rows take the block-copy path; float64 sources give float64 rows.
  const wide = Float64Array.from({ length: 300 }, (_, i) => i);
  const rows = gatherRows(wide, 100, [2, 1]);
  t.true(rows instanceof Float64Array);
  t.is(rows[0], 200);
  t.is(rows[199], 199);
  t.throws(() => gatherRows(src, 3, [4]), { instanceOf: RangeError, message: /index 4 at position 0 is out of range for 4 rows/ });
  t.throws(() => gatherRows(src, 3, [-1]), { instanceOf: RangeError });
  t.throws(() => gatherRows(src, 3, [0], new Float32Array(4)), { instanceOf: RangeError, message: /out holds 4 values/ });
  t.throws(() => gatherRows(src, 5, [0]), { instanceOf: RangeError, message: /not a multiple of rowSize/ });
  t.throws(() => gatherRows(src, 0, [0]), { instanceOf: RangeError, message: 'Expected positive integer for rowSize but received 0' });
});

test('subset copies the chosen samples', (t) => {
  const ds = toyDataset(10);
  const s = subset(ds, Int32Array.of(7, 2));
  t.is(s.n, 2);
  t.deepEqual([...s.images], [70, 71, 72, 73, 74, 75, 20, 21, 22, 23, 24, 25]);
  t.deepEqual([...s.labels], [3, 2]);
  t.deepEqual(s.shape, [1, 2, 3]);
  s.images[0] = -1;
  t.is(ds.images[70 / 10 * 6], 70, 'the original is untouched');
});

test('classBalancedSubsample takes exactly perClass of every class, reproducibly', (t) => {
  const labels = labelsWithCounts([40, 12, 25, 9]);
  const a = classBalancedSubsample(labels, 9, new Generator(3));
  t.is(a.length, 36);
  t.deepEqual(countPerClass(labels, a, 4), [9, 9, 9, 9]);
  t.is(new Set(a).size, 36, 'no index twice');
  t.true(a.every((v, i) => i === 0 || a[i - 1] < v), 'ascending');
  t.deepEqual(classBalancedSubsample(labels, 9, new Generator(3)), a);
  t.notDeepEqual(classBalancedSubsample(labels, 9, new Generator(4)), a);
  // All nine of class 3 are taken; class 0 is sampled, not just its first members.
  const firstOfClass0 = Array.from(labels.keys()).filter((i) => labels[i] === 0).slice(0, 9);
  t.notDeepEqual(Array.from(a).filter((i) => labels[i] === 0), firstOfClass0);
  t.is(classBalancedSubsample(labels, 0, new Generator(1)).length, 0);

  const error = t.throws(() => classBalancedSubsample(labels, 10, new Generator(3)), { instanceOf: DataError });
  t.is(error?.message, 'Class 3 has only 9 samples but 10 per class were requested');
  t.throws(() => classBalancedSubsample(Int32Array.of(0, 2, 2), 1, new Generator(3)), { instanceOf: DataError, message: /Class 1 has only 0/ });
  t.throws(() => classBalancedSubsample(labels, -1, new Generator(3)), { instanceOf: RangeError, message: /perClass/ });
});

test('randomSplit: ceil(n·fraction) test samples, disjoint and complete, repeatable per seed', (t) => {
  const a = randomSplit(506, 0.2, new Generator(3));
  t.is(a.test.length, 102);
  t.is(a.train.length, 404);
  const all = [...a.train, ...a.test].sort((x, y) => x - y);
  t.deepEqual(all, Array.from({ length: 506 }, (_, i) => i));
  t.deepEqual(randomSplit(506, 0.2, new Generator(3)), a);
  t.notDeepEqual(randomSplit(506, 0.2, new Generator(4)).test, a.test);
  for (const f of [0, 1, -0.1, NaN]) t.throws(() => randomSplit(10, f, new Generator(0)), { instanceOf: RangeError });
  t.throws(() => randomSplit(2, 0.99, new Generator(0)), { instanceOf: RangeError, message: /leaves no training samples/ });
});

test('stratifiedSplit splits every class in the same proportion, disjoint and complete', (t) => {
  const counts = [50, 30, 20, 7, 2];
  const labels = labelsWithCounts(counts);
  const { train, validation } = stratifiedSplit(labels, 0.2, new Generator(11));
  // Per class: Math.round(n_c * 0.2) go to validation.
  t.deepEqual(countPerClass(labels, validation, 5), [10, 6, 4, 1, 0]);
  t.deepEqual(countPerClass(labels, train, 5), [40, 24, 16, 6, 2]);
  const all = [...train, ...validation].sort((x, y) => x - y);
  t.deepEqual(all, Array.from(labels.keys()), 'every index exactly once');
  t.true(train.every((v, i) => i === 0 || train[i - 1] < v));
  t.deepEqual(stratifiedSplit(labels, 0.2, new Generator(11)), { train, validation });
  t.notDeepEqual(stratifiedSplit(labels, 0.2, new Generator(12)).validation, validation);
  // Halves round up: 2 × 0.25 = 0.5 → 1.
  t.deepEqual(countPerClass(labels, stratifiedSplit(labels, 0.25, new Generator(1)).validation, 5), [13, 8, 5, 2, 1]);
  t.is(stratifiedSplit(labels, 0, new Generator(1)).validation.length, 0);
  t.is(stratifiedSplit(labels, 1, new Generator(1)).train.length, 0);
  t.throws(() => stratifiedSplit(labels, 1.5, new Generator(1)), { instanceOf: RangeError, message: /fraction/ });
  t.throws(() => stratifiedSplit(Int32Array.of(0, -1), 0.5, new Generator(1)), { instanceOf: DataError });
});

function epochOrder(loader: MinibatchLoader): number[] {
  const order: number[] = [];
  for (const batch of loader) order.push(...batch.indices);
  return order;
}

test('MinibatchLoader visits every index exactly once per epoch, with the right rows', (t) => {
  const ds = toyDataset(103);
  const loader = new MinibatchLoader({ dataset: ds, batchSize: 10, shuffle: true, generator: new Generator(5), dropLast: false });
  t.is(loader.batchesPerEpoch, 11);
  const sizes: number[] = [];
  const seen: number[] = [];
  for (const { x, y, size, indices } of loader) {
    sizes.push(size);
    t.is(x.length, size * 6);
    t.is(y.length, size);
    for (let i = 0; i < size; i++) {
      t.is(x[i * 6], indices[i] * 10);
      t.is(x[i * 6 + 5], indices[i] * 10 + 5);
      t.is(y[i], indices[i] % 4);
    }
    seen.push(...indices);
  }
  t.deepEqual(sizes, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
  t.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
  t.notDeepEqual(seen, Array.from({ length: 103 }, (_, i) => i), 'shuffled');
  t.is(loader.epoch, 1);
});

test('MinibatchLoader: same seed same order, a new order each epoch, no shuffle keeps order', (t) => {
  const ds = toyDataset(50);
  const make = (seed: number) => new MinibatchLoader({ dataset: ds, batchSize: 8, shuffle: true, generator: new Generator(seed), dropLast: false });
  const a = make(1);
  const b = make(1);
  const a1 = epochOrder(a);
  const a2 = epochOrder(a);
  t.deepEqual(epochOrder(b), a1);
  t.deepEqual(epochOrder(b), a2);
  t.notDeepEqual(a1, a2);
  t.notDeepEqual(epochOrder(make(2)), a1);
  const plain = new MinibatchLoader({ dataset: ds, batchSize: 8, shuffle: false, generator: new Generator(1), dropLast: false });
  t.deepEqual(epochOrder(plain), Array.from({ length: 50 }, (_, i) => i));
});

test('MinibatchLoader dropLast skips the short last batch', (t) => {
  const ds = toyDataset(103);
  const loader = new MinibatchLoader({ dataset: ds, batchSize: 10, shuffle: true, generator: new Generator(9), dropLast: true });
  t.is(loader.batchesPerEpoch, 10);
  const order = epochOrder(loader);
  t.is(order.length, 100);
  t.is(new Set(order).size, 100);
  const tiny = new MinibatchLoader({ dataset: toyDataset(5), batchSize: 10, shuffle: false, generator: new Generator(9), dropLast: true });
  t.is(tiny.batchesPerEpoch, 0);
  t.deepEqual(epochOrder(tiny), []);
});

test('MinibatchLoader reuses its batch buffers', (t) => {
  const ds = toyDataset(25);
  const loader = new MinibatchLoader({ dataset: ds, batchSize: 10, shuffle: true, generator: new Generator(2), dropLast: false });
  const xs: Float32Array[] = [];
  const ys: Int32Array[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader) {
      xs.push(batch.x);
      ys.push(batch.y);
    }
  }
  t.is(xs.length, 6);
  t.is(xs[0], xs[1], 'full batches share one buffer');
  t.is(xs[0], xs[3], 'across epochs too');
  t.is(ys[0], ys[4]);
  t.is(xs[2].length, 5 * 6);
  t.is(xs[2].buffer, xs[0].buffer, 'the short batch is a view of the same buffer');
  t.is(xs[2], xs[5], 'and that view is made once');
});

test('MinibatchLoader over a subset of indices, and argument checks', (t) => {
  const ds = toyDataset(30);
  const { train } = stratifiedSplit(ds.labels, 0.5, new Generator(1));
  const loader = new MinibatchLoader({ dataset: ds, batchSize: 4, shuffle: true, generator: new Generator(1), dropLast: false, indices: train });
  t.is(loader.size, train.length);
  t.deepEqual(epochOrder(loader).sort((a, b) => a - b), [...train]);

  const error = t.throws(() => new MinibatchLoader({ dataset: ds, batchSize: 0, shuffle: true, generator: new Generator(1), dropLast: false }), { instanceOf: RangeError });
  t.is(error?.message, 'Expected positive integer for batchSize but received 0');
  t.throws(() => new MinibatchLoader({ dataset: ds, batchSize: 2.5 }), { instanceOf: RangeError, message: 'Expected positive integer for batchSize but received 2.5' });
  t.throws(() => new MinibatchLoader({ dataset: ds, batchSize: 4, indices: [30] }), { instanceOf: RangeError, message: /index 30/ });
  t.throws(() => new MinibatchLoader({ dataset: { ...ds, n: 29 }, batchSize: 4 }), { instanceOf: RangeError, message: /n = 29 but 30 labels/ });
  t.throws(() => new MinibatchLoader({ dataset: ds, batchSize: 4, shuffle: 'yes' as unknown as boolean }), { instanceOf: TypeError });
});

test('sampleBatch draws uniformly with replacement, reproducibly', (t) => {
  const a = sampleBatch(new Generator(8), 5, 1000);
  t.is(a.length, 1000);
  t.true(a.every((v) => v >= 0 && v < 5));
  const counts = [0, 0, 0, 0, 0];
  for (const v of a) counts[v]++;
  t.true(counts.every((c) => c > 150 && c < 250), `counts ${counts.join(',')}`);
  t.deepEqual(sampleBatch(new Generator(8), 5, 1000), a);
  const out = new Int32Array(3);
  t.is(sampleBatch(new Generator(8), 2, 3, out), out);
  // With replacement: 20 draws from 3 must repeat.
  t.true(new Set(sampleBatch(new Generator(1), 3, 20)).size <= 3);
  t.throws(() => sampleBatch(new Generator(1), 0, 4), { instanceOf: RangeError, message: 'Expected positive integer for n but received 0' });
});

test('toTensor gives [n, features] sharing the images, or copies of chosen rows', (t) => {
  const ds = toyDataset(6);
  const all = toTensor(ds, undefined, { backend: 'ts' });
  t.deepEqual(all.x.shape, [6, 6]);
  t.is(all.x.data, ds.images);
  t.deepEqual([...all.y], [0, 1, 2, 3, 0, 1]);
  const some = toTensor(ds, [5, 0], { backend: 'ts' });
  t.deepEqual(some.x.shape, [2, 6]);
  t.deepEqual([...some.x.data.subarray(0, 2)], [50, 51]);
  t.deepEqual([...some.y], [1, 0]);
  const wide = toTensor(ds, undefined, { dtype: 'float64', backend: 'ts' });
  t.is(wide.x.dtype, 'float64');
  t.is(wide.x.data[7], 11);
});
