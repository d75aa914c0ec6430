/** nn/activations: relu, plain and stable softmax, averageCrossEntropy — direct formulas, corner cases, gradchecks. */
import test from 'ava';
import { backendsUnderTest } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import { averageCrossEntropy, oneHot, relu, softmax, stableSoftmax } from '../../src/nn/activations';
import { Tensor } from '../../src/tensor';
import { assertGradcheck, distinct, maxAbsDiff, rnd, seeded } from '../autograd/helpers';

/** Direct stable softmax of an m×c array in doubles. */
function directSoftmax(x: ArrayLike<number>, m: number, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    const row = Array.from({ length: c }, (_, j) => x[i * c + j]);
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

/** Direct mean cross-entropy from logits and labels in doubles. */
function directCrossEntropy(x: ArrayLike<number>, labels: ArrayLike<number>, m: number, c: number): number {
  const p = directSoftmax(x, m, c);
  let total = 0;
  for (let i = 0; i < m; i++) total -= Math.log(p[i * c + labels[i]]);
  return total / m;
}

for (const name of backendsUnderTest()) {
  for (const dtype of ['float64', 'float32'] as const) {
    const where = `[${name}, ${dtype}]`;
    const from = (v: Parameters<typeof Tensor.from>[0]) => Tensor.from(v, { dtype, backend: name });
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;

    test(`${where} relu, softmax, stableSoftmax and averageCrossEntropy match direct formulas`, (t) => {
      const gen = seeded(`${where} direct`);
      const x = rnd(gen, [4, 5], name, -3, 3).astype(dtype);
      t.deepEqual(Array.from(relu(x).data), Array.from(x.data, (v) => Math.max(v, 0)));
      const expected = directSoftmax(x.data, 4, 5);
      t.true(maxAbsDiff(softmax(x).data, expected) < tol);
      t.true(maxAbsDiff(stableSoftmax(x).data, expected) < tol);
      const labels = Int32Array.from([4, 0, 2, 2]);
      const ce = averageCrossEntropy(x, labels);
      t.deepEqual(ce.shape, []);
      t.true(Math.abs(ce.item() - directCrossEntropy(x.data, labels, 4, 5)) < tol);
    });

    test(`${where} logits of ±1000: plain softmax overflows to NaN, the stable one and the cross-entropy stay finite`, (t) => {
      const x = from([[1000, 0, -1000], [-1000, -1000, 1000], [1000, 1000, 0]]);
      const plain = softmax(x);
      t.true(Number.isNaN(plain.data[0]), `softmax row 0 is ${Array.from(plain.data.subarray(0, 3))}`);
      t.true(Number.isNaN(plain.data[5]));
      t.is(x.exp().data[0], Infinity);
      t.true(Number.isNaN(plain.data[6]) && Number.isNaN(plain.data[7]));
      const stable = stableSoftmax(x);
      t.true(Array.from(stable.data).every(Number.isFinite));
      t.true(maxAbsDiff(stable.data, [1, 0, 0, 0, 0, 1, 0.5, 0.5, 0]) < tol);
      const ce = averageCrossEntropy(x, Int32Array.from([0, 2, 1]));
      t.true(Math.abs(ce.item() - Math.LN2 / 3) < tol, `${ce.item()}`);
      // The wrong label at a 2000 margin costs 2000 (finite), not Infinity.
      const wrong = averageCrossEntropy(from([[1000, -1000]]), Int32Array.from([1]));
      t.true(Math.abs(wrong.item() - 2000) < (dtype === 'float64' ? 1e-9 : 1e-3), `${wrong.item()}`);
    });

    test(`${where} all-equal rows give the uniform distribution and CE log c`, (t) => {
      const x = from([[3, 3, 3, 3], [-7, -7, -7, -7]]);
      t.true(maxAbsDiff(softmax(x).data, new Array(8).fill(0.25)) < tol);
      t.true(maxAbsDiff(stableSoftmax(x).data, new Array(8).fill(0.25)) < tol);
      t.true(Math.abs(averageCrossEntropy(x, Int32Array.from([1, 3])).item() - Math.log(4)) < tol);
    });

    test(`${where} a single class: softmax is 1 and the cross-entropy 0`, (t) => {
      const x = from([[5], [-2], [1000]]);
      t.deepEqual(Array.from(stableSoftmax(x).data), [1, 1, 1]);
      t.deepEqual(Array.from(softmax(x.sliceRows(0, 2)).data), [1, 1]);
      t.true(Math.abs(averageCrossEntropy(x, Int32Array.from([0, 0, 0])).item()) < tol);
    });

    test(`${where} one-hot targets give the same loss and gradient as integer labels; a batch of one works`, (t) => {
      const gen = seeded(`${where} onehot`);
      for (const m of [6, 1]) {
        const x = rnd(gen, [m, 4], name, -2, 2).astype(dtype);
        const labels = Int32Array.from({ length: m }, () => gen.int(4));
        const y1hot = oneHot(labels, 4, x);
        const a = x.detach().requiresGrad_();
        const b = x.detach().requiresGrad_();
        const la = averageCrossEntropy(a, labels);
        const lb = averageCrossEntropy(b, y1hot);
        t.true(Math.abs(la.item() - lb.item()) < tol);
        t.true(Math.abs(la.item() - directCrossEntropy(x.data, labels, m, 4)) < tol);
        la.backward();
        lb.backward();
        t.true(maxAbsDiff(a.grad!.data, b.grad!.data) < tol);
        // d/dz = (softmax - onehot) / m
        const p = directSoftmax(x.data, m, 4);
        t.true(maxAbsDiff(a.grad!.data, p.map((v, k) => (v - y1hot.data[k]) / m)) < tol);
        t.true(maxAbsDiff(stableSoftmax(x).data, p) < tol);
      }
    });
  }

  test(`[${name}] float64 gradcheck of stableSoftmax, softmax and averageCrossEntropy (labels and one-hot)`, (t) => {
    const gen = seeded(`${name} gradcheck`);
    const x = distinct(gen, [3, 5], name, 0.3);
    assertGradcheck(t, stableSoftmax, [x], {}, 'stableSoftmax');
    assertGradcheck(t, softmax, [x], {}, 'softmax');
    const labels = Int32Array.from([1, 4, 0]);
    assertGradcheck(t, (z) => averageCrossEntropy(z, labels), [x], {}, 'averageCrossEntropy(labels)');
    const y1hot = oneHot(labels, 5, x);
    assertGradcheck(t, (z) => averageCrossEntropy(z, y1hot), [x], {}, 'averageCrossEntropy(one-hot)');
    assertGradcheck(t, (z) => averageCrossEntropy(z, Int32Array.from([2])), [x.sliceRows(0, 1)], {}, 'batch of one');
  });

  test(`[${name}] averageCrossEntropy rejects mismatched labels`, (t) => {
    const x = Tensor.zeros([2, 3], { dtype: 'float64', backend: name });
    t.throws(() => averageCrossEntropy(x, Int32Array.from([0])), { instanceOf: ShapeError });
    t.throws(() => averageCrossEntropy(x, Tensor.zeros([2, 4], { dtype: 'float64', backend: name })), { instanceOf: ShapeError });
    t.throws(() => averageCrossEntropy(x, Int32Array.from([0, 3])), { instanceOf: RangeError });
  });
}
