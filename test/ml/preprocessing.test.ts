/** ml.StandardScaler: scikit-learn's mean, variance, scale and transforms; dtype and backend of the results; errors. */
import test from 'ava';
import { createCudaBackend } from '../../src/backend/cuda';
import { ShapeError } from '../../src/errors';
import { StandardScaler } from '../../src/ml/preprocessing';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { MockCudaAddon } from '../helpers/mock_cuda';

/*
 * scikit-learn 1.2.1 in Debian's /usr/bin/python3:
 *
 *   import numpy as np
 *   from sklearn.preprocessing import StandardScaler
 *   X = np.array([[1.0, 5.0, 3.0, 1e6 + 1], [2.0, 5.0, -1.0, 1e6 + 2], [4.0, 5.0, 0.5, 1e6 + 4],
 *                 [8.0, 5.0, 2.0, 1e6 + 8], [-3.0, 5.0, 7.0, 1e6 - 3]])
 *   s = StandardScaler().fit(X)          # mean_, var_, scale_, transform(X)
 *   StandardScaler(with_mean=False).fit_transform(X)
 *   StandardScaler(with_std=False).fit_transform(X)
 *   StandardScaler().fit([[0.1 + 0.2], [0.3], [0.3]])   # var_ 6.8e-34: constant, scale_ [1.0]
 */
const X = [[1.0, 5.0, 3.0, 1e6 + 1], [2.0, 5.0, -1.0, 1e6 + 2], [4.0, 5.0, 0.5, 1e6 + 4], [8.0, 5.0, 2.0, 1e6 + 8], [-3.0, 5.0, 7.0, 1e6 - 3]];
const SK = {
  mean: [2.4, 5.0, 2.3, 1000002.4],
  var: [13.039999999999997, 0.0, 7.359999999999999, 13.040000000000001],
  scale: [3.6110940170535573, 1.0, 2.7129319932501073, 3.6110940170535577],
  transform: [[-0.38769414293519794, 0.0, 0.25802342327107003, -0.38769414294164556], [-0.11076975512434224, 0.0, -1.2163961382779014, -0.1107697551307899], [0.44307902049736914, 0.0, -0.663488802697037, 0.4430790204909214], [1.5507765717407918, 0.0, -0.11058146711617278, 1.550776571734344], [-1.4953916941786207, 0.0, 1.7324429848200413, -1.4953916941850682]],
  noMean: [[0.2769243878108557, 5.0, 1.1058146711617285, 276924.6647352435], [0.5538487756217114, 5.0, -0.3686048903872428, 276924.94165963127], [1.1076975512434228, 5.0, 0.1843024451936214, 276925.4955084069], [2.2153951024868457, 5.0, 0.7372097807744856, 276926.60320595815], [-0.830773163432567, 5.0, 2.5802342327107, 276923.5570376922]],
  noStd: [[-1.4, 0.0, 0.7000000000000002, -1.400000000023283], [-0.3999999999999999, 0.0, -3.3, -0.40000000002328306], [1.6, 0.0, -1.7999999999999998, 1.599999999976717], [5.6, 0.0, -0.2999999999999998, 5.599999999976717], [-5.4, 0.0, 4.7, -5.400000000023283]],
};

function values(t: Tensor | null): number[] {
  if (!t) throw new Error('missing tensor');
  return Array.from(t.toTypedArray());
}

function maxErr(actual: ArrayLike<number>, expected: readonly number[], relative = true): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (relative ? Math.max(1, Math.abs(expected[i])) : 1));
  }
  return worst;
}

for (const be of backendsUnderTest()) {
  const f64 = (v: number[][]) => Tensor.from(v, { dtype: 'float64', backend: be });

  test(`[${be}] StandardScaler is scikit-learn's: mean, population variance, scale (1 for a constant feature), transform`, (t) => {
    const s = new StandardScaler().fit(f64(X));
    t.true(s.fitted);
    t.is(s.nFeatures, 4);
    t.is(s.nSamplesSeen, 5);
    t.true(maxErr(values(s.mean), SK.mean) < 1e-15);
    t.true(maxErr(values(s.variance), SK.var) < 1e-9, `${values(s.variance)}`); // the 1e6 column: cancellation in any two-pass sum
    t.true(maxErr(values(s.scale), SK.scale) < 1e-10);
    t.is(values(s.scale)[1], 1);
    const Z = s.transform(f64(X));
    t.deepEqual(Z.shape, [5, 4]);
    t.true(maxErr(values(Z), SK.transform.flat()) < 1e-9, `${maxErr(values(Z), SK.transform.flat())}`);
    t.true(maxErr(values(new StandardScaler().fitTransform(f64(X))), values(Z)) === 0);
    // Back again.
    t.true(maxErr(values(s.inverseTransform(Z)), X.flat()) < 1e-9);
    // Standardised columns: mean 0, variance 1 (the constant one stays 0).
    const z = values(new StandardScaler().fitTransform(f64([[1, 10], [2, 30], [6, 20]])));
    t.true(Math.abs(z[0] + z[2] + z[4]) < 1e-15 && Math.abs((z[0] ** 2 + z[2] ** 2 + z[4] ** 2) / 3 - 1) < 1e-15);
  });

  test(`[${be}] StandardScaler withMean / withStd false, and a near-constant column`, (t) => {
    const noMean = new StandardScaler({ withMean: false }).fit(f64(X));
    t.true(maxErr(values(noMean.transform(f64(X))), SK.noMean.flat()) < 1e-10);
    t.true(maxErr(values(noMean.mean), SK.mean) < 1e-15, 'the mean is still kept, as scikit-learn');
    t.true(maxErr(values(noMean.inverseTransform(noMean.transform(f64(X)))), X.flat()) < 1e-9);
    const noStd = new StandardScaler({ withStd: false }).fit(f64(X));
    t.is(noStd.scale, null);
    t.is(noStd.variance, null);
    t.true(maxErr(values(noStd.transform(f64(X))), SK.noStd.flat(), false) < 1e-9);
    const neither = new StandardScaler({ withMean: false, withStd: false }).fit(f64(X));
    t.is(neither.mean, null);
    const same = neither.transform(f64(X));
    t.deepEqual(values(same), X.flat());
    const near = new StandardScaler().fit(f64([[0.1 + 0.2], [0.3], [0.3]]));
    t.deepEqual(values(near.scale), [1]);
    t.true(Math.abs(values(near.mean)[0] - 0.30000000000000004) < 1e-16);
  });

  test(`[${be}] StandardScaler keeps X's dtype and backend; float32 transforms are computed in float64`, (t) => {
    const g = new Generator(5);
    const X32 = Tensor.randn([200, 7], { dtype: 'float32', backend: be, generator: g, mean: 1000, std: 0.01 });
    const s = new StandardScaler().fit(X32);
    for (const a of [s.mean, s.variance, s.scale]) {
      t.is(a?.dtype, 'float32');
      t.is(a?.backend.name, be);
    }
    const Z = s.transform(X32);
    t.is(Z.dtype, 'float32');
    t.is(Z.backend.name, be);
    // Reference in float64 from the float32 values: a float32 subtraction of the rounded mean would be off by ~1e-3 here.
    const x = values(X32);
    const ref = new StandardScaler().fit(Tensor.from(x, { dtype: 'float64', backend: be, shape: [200, 7] }));
    const z64 = values(ref.transform(Tensor.from(x, { dtype: 'float64', backend: be, shape: [200, 7] })));
    t.true(maxErr(values(Z), z64) < 1e-6, `${maxErr(values(Z), z64)}`);
    const back = s.inverseTransform(Z);
    t.is(back.dtype, 'float32');
    t.true(maxErr(values(back), x) < 1e-6 * 1000);
  });

  test(`[${be}] StandardScaler errors: unfitted, feature count, non-finite, shapes, options`, (t) => {
    const s = new StandardScaler();
    t.false(s.fitted);
    t.throws(() => s.transform(f64(X)), { instanceOf: Error, message: 'StandardScaler.transform: this StandardScaler is not fitted yet; call fit(X) first' });
    t.throws(() => s.inverseTransform(f64(X)), { instanceOf: Error, message: /^StandardScaler.inverseTransform: this StandardScaler is not fitted yet/ });
    s.fit(f64(X));
    t.throws(() => s.transform(f64([[1, 2, 3]])), { instanceOf: ShapeError, message: 'StandardScaler.transform: X has 3 features but this StandardScaler was fitted on 4' });
    t.throws(() => s.inverseTransform(f64([[1, 2]])), { instanceOf: ShapeError, message: 'StandardScaler.inverseTransform: Z has 2 features but this StandardScaler was fitted on 4' });
    t.throws(() => new StandardScaler().fit(f64([[1, 2], [3, NaN]])), { instanceOf: RangeError, message: 'StandardScaler.fit: X[1, 1] is NaN; the data must be finite' });
    t.throws(() => new StandardScaler().fit(f64([[Infinity, 2], [3, 4]])), { instanceOf: RangeError, message: 'StandardScaler.fit: X[0, 0] is Infinity; the data must be finite' });
    t.throws(() => s.transform(f64([[1, 2, 3, 4], [1, 2, -Infinity, 4]])), { instanceOf: RangeError, message: 'StandardScaler.transform: X[1, 2] is -Infinity; the data must be finite' });
    t.throws(() => new StandardScaler().fit(Tensor.from([1, 2, 3], { dtype: 'float64', backend: be })),
      { instanceOf: ShapeError, message: 'StandardScaler.fit: X must be a matrix [samples, features], got shape [3]' });
    t.throws(() => new StandardScaler().fit(Tensor.zeros([0, 3], { dtype: 'float64', backend: be })),
      { instanceOf: ShapeError, message: 'StandardScaler.fit: X has no samples (shape [0, 3])' });
    t.throws(() => new StandardScaler().fit([[1, 2]] as unknown as Tensor), { instanceOf: TypeError, message: 'StandardScaler.fit: X must be a Tensor, got Array' });
    t.throws(() => new StandardScaler({ withMean: 0 as unknown as boolean }), { instanceOf: TypeError, message: 'StandardScaler: withMean must be a boolean, got number' });
    // Zero rows transform to zero rows.
    t.deepEqual(s.transform(Tensor.zeros([0, 4], { dtype: 'float64', backend: be })).shape, [0, 4]);
  });
}

if (backendsUnderTest().includes('cpu')) {
  test('StandardScaler on cpu equals ts', (t) => {
    const X = Tensor.randn([50, 9], { dtype: 'float32', generator: new Generator(1), backend: 'ts', mean: 3, std: 2 });
    const a = new StandardScaler().fit(X), b = new StandardScaler().fit(X.to('cpu'));
    t.deepEqual(values(a.scale), values(b.scale));
    t.true(maxErr(values(a.transform(X)), values(b.transform(X.to('cpu')))) < 1e-7);
  });
}

test('StandardScaler runs on a device backend (cuda over the mock addon)', (t) => {
  const cuda = createCudaBackend(new MockCudaAddon());
  const X = Tensor.randn([20, 5], { dtype: 'float32', generator: new Generator(2), backend: 'ts', mean: 4 });
  const a = new StandardScaler().fit(X), b = new StandardScaler().fit(X.to(cuda));
  t.is(b.scale?.backend, cuda);
  const z = b.transform(X.to(cuda));
  t.is(z.backend, cuda);
  t.is(z.dtype, 'float32');
  t.deepEqual(values(z), values(a.transform(X)));
});
