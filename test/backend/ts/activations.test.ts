import test from 'ava';
import { biasActivationBackward, biasActivationForward } from '../../../src/backend/ts/activations';
import { ACTIVATIONS, type Activation } from '../../../src/backend/backend';
import { DTYPES, assertClose, dotAll, mulberry32, numericGradient, randomArray } from './helpers';

function applyNaive(act: Activation, v: number): number {
  return act === 'relu' ? Math.max(v, 0) : act === 'tanh' ? Math.tanh(v) : v;
}

for (const dt of DTYPES) {
  for (const act of ACTIVATIONS) {
    test(`biasActivationForward ${act} ${dt.name}: with and without bias, out aliasing x`, (t) => {
      const rng = mulberry32(11);
      for (const [m, n] of [[1, 1], [7, 13], [32, 3]]) {
        const x = randomArray(rng, dt.Ctor, m * n, -2, 2), bias = randomArray(rng, dt.Ctor, n);
        for (const withBias of [true, false]) {
          const expected = new Float64Array(m * n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) expected[i * n + j] = applyNaive(act, x[i * n + j] + (withBias ? bias[j] : 0));
          }
          const out = new dt.Ctor(m * n).fill(NaN);
          biasActivationForward(act, m, n, x, withBias ? bias : null, out);
          assertClose(t, out, expected, dt.tol, `${m}×${n} bias=${withBias}`);
          const inPlace = x.slice();
          biasActivationForward(act, m, n, inPlace, withBias ? bias : null, inPlace);
          t.deepEqual(inPlace, out);
        }
      }
    });

    test(`biasActivationBackward ${act} ${dt.name}: dX and dBias by the formula, dX aliasing dOut`, (t) => {
      const rng = mulberry32(12);
      const m = 6, n = 5;
      const x = randomArray(rng, dt.Ctor, m * n, -2, 2), bias = randomArray(rng, dt.Ctor, n);
      const dOut = randomArray(rng, dt.Ctor, m * n);
      const out = new dt.Ctor(m * n);
      biasActivationForward(act, m, n, x, bias, out);
      const expectedDX = new Float64Array(m * n), expectedDBias = new Float64Array(n);
      for (let i = 0; i < m * n; i++) {
        const y = out[i];
        const d = act === 'relu' ? (y > 0 ? 1 : 0) : act === 'tanh' ? 1 - y * y : 1;
        expectedDX[i] = dOut[i] * d;
        expectedDBias[i % n] += expectedDX[i];
      }
      const dX = new dt.Ctor(m * n), dBias = new dt.Ctor(n).fill(NaN);
      biasActivationBackward(act, m, n, dOut, out, dX, dBias);
      assertClose(t, dX, expectedDX, dt.tol, 'dX');
      assertClose(t, dBias, expectedDBias, dt.tol * 10, 'dBias');
      const inPlace = dOut.slice();
      biasActivationBackward(act, m, n, inPlace, out, inPlace, null);
      t.deepEqual(inPlace, dX);
    });
  }
}

for (const act of ACTIVATIONS) {
  test(`biasActivationBackward ${act} float64: matches central differences`, (t) => {
    const rng = mulberry32(13);
    const m = 4, n = 6;
    const x = randomArray(rng, Float64Array, m * n, -2, 2) as Float64Array;
    const bias = randomArray(rng, Float64Array, n) as Float64Array;
    const w = randomArray(rng, Float64Array, m * n); // loss = Σ w ⊙ act(x + bias)
    const out = new Float64Array(m * n);
    const loss = () => {
      biasActivationForward(act, m, n, x, bias, out);
      return dotAll(w, out);
    };
    const numX = numericGradient(loss, x), numBias = numericGradient(loss, bias);
    loss();
    const dX = new Float64Array(m * n), dBias = new Float64Array(n);
    biasActivationBackward(act, m, n, w, out, dX, dBias);
    assertClose(t, dX, numX, 1e-7, 'dX');
    assertClose(t, dBias, numBias, 1e-7, 'dBias');
  });
}

test('biasActivation relu: NaN propagates forward, -0 becomes +0, the mask is exactly 0', (t) => {
  const out = new Float64Array(3);
  biasActivationForward('relu', 1, 3, Float64Array.from([NaN, -0, -1]), null, out);
  t.true(Number.isNaN(out[0]));
  t.true(Object.is(out[1], 0));
  t.is(out[2], 0);
  const dX = new Float64Array(3);
  biasActivationBackward('relu', 1, 3, Float64Array.from([Infinity, 1, 2]), Float64Array.from([0, 1, -1]), dX, null);
  t.deepEqual(Array.from(dX), [0, 1, 0]);
});

test('biasActivation: m = 0 gives dBias = 0', (t) => {
  const dBias = Float32Array.from([5, 5]);
  biasActivationBackward('tanh', 0, 2, new Float32Array(0), new Float32Array(0), new Float32Array(0), dBias);
  t.deepEqual(Array.from(dBias), [0, 0]);
});

test('biasActivation: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  const anyForward = biasActivationForward as unknown as (...args: unknown[]) => void;
  t.throws(() => anyForward('gelu', 2, 3, f(6), null, f(6)), { instanceOf: RangeError, message: /unknown act 'gelu'/ });
  t.throws(() => anyForward('relu', 2, 3, f(5), null, f(6)), { instanceOf: RangeError, message: /x has 5 elements, needs 6/ });
  t.throws(() => anyForward('relu', 2, 3, f(6), f(2), f(6)), { instanceOf: RangeError, message: /bias has 2 elements, needs 3/ });
  t.throws(() => anyForward('relu', 2, 3, f(6), new Float32Array(3), f(6)), { instanceOf: TypeError });
  t.throws(() => anyForward('relu', 2, 3, f(6), undefined, f(6)), { instanceOf: TypeError, message: /bias must be .* or null/ });
  t.throws(() => anyForward('relu', -2, 3, f(6), null, f(6)), { instanceOf: RangeError });
  const anyBackward = biasActivationBackward as unknown as (...args: unknown[]) => void;
  t.throws(() => anyBackward('tanh', 2, 3, f(6), f(6), f(6), f(1)), { instanceOf: RangeError, message: /dBias has 1 elements, needs 3/ });
  t.throws(() => anyBackward('tanh', 2, 3, f(6), new Float32Array(6), f(6), null), { instanceOf: TypeError });
});
