import test from 'ava';
import { logSoftmaxNllBackward, logSoftmaxNllForward } from '../../../src/backend/ts/softmax_xent';
import { DTYPES, assertClose, mulberry32, numericGradient, randomArray } from './helpers';

function randomLabels(rng: () => number, m: number, c: number): Int32Array {
  return Int32Array.from({ length: m }, () => Math.floor(rng() * c));
}

for (const dt of DTYPES) {
  test(`logSoftmaxNllForward ${dt.name}: log-probs, loss and argmax by the definition`, (t) => {
    const rng = mulberry32(31);
    for (const [m, c] of [[1, 1], [1, 2], [6, 10], [17, 3]]) {
      const logits = randomArray(rng, dt.Ctor, m * c, -4, 4);
      const labels = randomLabels(rng, m, c);
      const logProbs = new dt.Ctor(m * c), argmax = new Int32Array(m).fill(-1);
      const loss = logSoftmaxNllForward(m, c, logits, labels, logProbs, argmax);
      const expected = new Float64Array(m * c);
      let expectedLoss = 0;
      for (let i = 0; i < m; i++) {
        let sum = 0, best = 0;
        for (let j = 0; j < c; j++) {
          sum += Math.exp(logits[i * c + j]);
          if (logits[i * c + j] > logits[i * c + best]) best = j;
        }
        for (let j = 0; j < c; j++) expected[i * c + j] = logits[i * c + j] - Math.log(sum);
        expectedLoss -= expected[i * c + labels[i]] / m;
        t.is(argmax[i], best);
      }
      assertClose(t, logProbs, expected, dt.tol, `${m}×${c} logProbs`);
      t.true(Math.abs(loss - expectedLoss) <= 1e-12 * Math.max(1, Math.abs(expectedLoss)), `${m}×${c} loss`);
    }
  });

  test(`logSoftmaxNllForward ${dt.name}: logits of ±1000 stay finite`, (t) => {
    const logits = dt.Ctor.from([1000, -1000, 0, -1000, 1000, 1000]);
    const logProbs = new dt.Ctor(6), argmax = new Int32Array(2);
    const loss = logSoftmaxNllForward(2, 3, logits, Int32Array.from([1, 0]), logProbs, argmax);
    t.true(logProbs.every(Number.isFinite));
    t.deepEqual(Array.from(logProbs), [0, -2000, -1000, -2000 - Math.LN2, -Math.LN2, -Math.LN2].map((v) => dt.Ctor.from([v])[0]));
    t.true(Math.abs(loss - (2000 + 2000 + Math.LN2) / 2) < 1e-9);
    t.deepEqual(Array.from(argmax), [0, 1]); // the first of equal maxima
  });

  test(`logSoftmaxNllForward ${dt.name}: c = 1 gives zero log-probs and loss`, (t) => {
    const logProbs = new dt.Ctor(3).fill(NaN);
    const loss = logSoftmaxNllForward(3, 1, dt.Ctor.from([5, -7, 1e30]), new Int32Array(3), logProbs, null);
    t.deepEqual(Array.from(logProbs), [0, 0, 0]);
    t.is(loss, 0);
  });

  test(`logSoftmaxNllBackward ${dt.name}: the formula, gradLoss scaling`, (t) => {
    const rng = mulberry32(32);
    const m = 5, c = 4;
    const logits = randomArray(rng, dt.Ctor, m * c, -3, 3), labels = randomLabels(rng, m, c);
    const logProbs = new dt.Ctor(m * c);
    logSoftmaxNllForward(m, c, logits, labels, logProbs, null);
    const dLogits = new dt.Ctor(m * c);
    logSoftmaxNllBackward(m, c, logProbs, labels, 2.5, dLogits);
    const expected = new Float64Array(m * c);
    for (let i = 0; i < m * c; i++) {
      expected[i] = (2.5 / m) * (Math.exp(logProbs[i]) - (labels[Math.floor(i / c)] === i % c ? 1 : 0));
    }
    assertClose(t, dLogits, expected, dt.tol, 'dLogits');
  });
}

test('logSoftmaxNllBackward float64: matches central differences of the loss', (t) => {
  const rng = mulberry32(33);
  const m = 4, c = 7;
  const logits = randomArray(rng, Float64Array, m * c, -3, 3) as Float64Array;
  const labels = randomLabels(rng, m, c);
  const logProbs = new Float64Array(m * c);
  const gradLoss = 1.7;
  const loss = () => gradLoss * logSoftmaxNllForward(m, c, logits, labels, logProbs, null);
  const numeric = numericGradient(loss, logits);
  loss();
  const dLogits = new Float64Array(m * c);
  logSoftmaxNllBackward(m, c, logProbs, labels, gradLoss, dLogits);
  assertClose(t, dLogits, numeric, 1e-8, 'dLogits');
});

test('logSoftmaxNllForward: NaN counts as the row maximum for argmax; m = 0 gives NaN', (t) => {
  const argmax = new Int32Array(2);
  logSoftmaxNllForward(2, 3, Float64Array.from([1, NaN, 3, NaN, 5, NaN]), Int32Array.from([0, 0]), new Float64Array(6), argmax);
  t.deepEqual(Array.from(argmax), [1, 0]);
  t.true(Number.isNaN(logSoftmaxNllForward(0, 3, new Float64Array(0), new Int32Array(0), new Float64Array(0), null)));
});

test('logSoftmaxNll: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => logSoftmaxNllForward(2, 3, f(6), Int32Array.from([0, 3]), f(6), null), { instanceOf: RangeError, message: 'logSoftmaxNllForward: labels[1] = 3 is outside [0, 3)' });
  t.throws(() => logSoftmaxNllForward(2, 3, f(6), Int32Array.from([-1, 0]), f(6), null), { instanceOf: RangeError, message: /labels\[0\] = -1/ });
  t.throws(() => logSoftmaxNllForward(2, 3, f(6), Int32Array.from([0]), f(6), null), { instanceOf: RangeError, message: /labels has 1 elements, needs 2/ });
  t.throws(() => logSoftmaxNllForward(2, 3, f(6), Int32Array.from([0, 0]), f(6), new Int32Array(1)), { instanceOf: RangeError, message: /argmax has 1 elements/ });
  t.throws(() => logSoftmaxNllForward(2, 3, f(5), Int32Array.from([0, 0]), f(6), null), { instanceOf: RangeError, message: /logits has 5 elements, needs 6/ });
  t.throws(() => logSoftmaxNllBackward(2, 3, f(6), Int32Array.from([0, 7]), 1, f(6)), { instanceOf: RangeError, message: /labels\[1\] = 7/ });
  const anyForward = logSoftmaxNllForward as unknown as (...args: unknown[]) => number;
  t.throws(() => anyForward(2, 3, f(6), Float64Array.from([0, 0]), f(6), null), { instanceOf: TypeError, message: /labels must be an Int32Array/ });
  t.throws(() => anyForward(2, 3, f(6), Int32Array.from([0, 0]), new Float32Array(6), null), { instanceOf: TypeError });
  t.throws(() => anyForward(2, 3, f(6), Int32Array.from([0, 0]), f(6), new Uint32Array(2)), { instanceOf: TypeError, message: /argmax must be an Int32Array or null/ });
  const anyBackward = logSoftmaxNllBackward as unknown as (...args: unknown[]) => void;
  t.throws(() => anyBackward(2, 3, f(6), Int32Array.from([0, 0]), undefined, f(6)), { instanceOf: TypeError, message: /gradLoss/ });
});
