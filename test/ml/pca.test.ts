/** ml.PCA: scikit-learn 1.2's answers, orthonormal components, exact reconstruction, both solver routes, cpu against ts, errors. */
import test from 'ava';
import { createCudaBackend } from '../../src/backend/cuda';
import { ShapeError } from '../../src/errors';
import { PCA } from '../../src/ml/pca';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { MockCudaAddon } from '../helpers/mock_cuda';
import { maxDiff, orthonormalityError, transpose } from '../helpers/matrix';

/*
 * Fixtures: scikit-learn 1.2.1 (numpy 1.24.2) in Debian's /usr/bin/python3:
 *
 *   import numpy as np
 *   from sklearn.decomposition import PCA
 *   rng = np.random.default_rng(17)
 *   A = np.round(rng.normal(size=(10, 4)) @ np.diag([3, 2, 1, 0.5]), 2)
 *   B = np.round(rng.normal(size=(6, 9)), 2)
 *   C = np.round(rng.normal(size=(12, 5)) @ np.diag([1, 0.3, 0.05, 0.01, 0.002]), 4)
 *   for X in (A, B, C):
 *       p = PCA(svd_solver='full').fit(X)   # mean_, singular_values_, explained_variance_(ratio_),
 *                                           # components_, transform(X[:3])
 *       for k in [1, 2, 3, 0.5, 0.9, 0.99]:
 *           q = PCA(n_components=k, svd_solver='full').fit(X)   # fits: [k, n_components_, noise_variance_]
 *
 * A is tall (10×4), B wide (6×9: its centred data has rank 5, so the 6th
 * singular value is 0 and that component is arbitrary), C tall with a steep
 * spectrum (s_1/s_5 ≈ 555).
 */
const SK = {
  A: {
    X: [[3.3, 0.68, -0.54, -0.63], [-5.68, 0.04, -0.81, -0.44], [-0.67, -0.1, -2.28, 0.46], [-6.08, 3.72, 0.59, -0.24], [4.03, 0.04, 0.69, 0.05], [3.29, 2.12, -0.91, -0.31], [1.03, -0.42, -2.28, 1.01], [-6.52, -4.16, -1.28, 0.28], [5.39, -0.47, -0.39, 0.09], [-1.1, 0.16, -1.14, 0.22]],
    mean_: [-0.3009999999999998, 0.16099999999999998, -0.835, 0.04899999999999999],
    singular_values_: [13.471691935851382, 6.158274752801002, 2.7427206210565416, 1.0527925006200582],
    explained_variance_: [20.165164846053685, 4.2138164367762485, 0.8358351561298645, 0.12315244992909283],
    explained_variance_ratio_: [0.7958477230152585, 0.1663044285536271, 0.03298745687924464, 0.004860391551869699],
    components_: [[-0.9967803050894294, -0.07714198035516344, -0.02186628690841384, -6.123353843578195e-05], [-0.07959491776439838, 0.9550539419457784, 0.25935856082947323, -0.11945607546028406], [0.001737148868940817, -0.2833640482298685, 0.9212367495405549, -0.26650450236448375], [0.009521279625633981, -0.040322438064858475, -0.2890983460991373, -0.9564024218421551]],
    transform3: [[-3.635851543496749, 0.3666731476824881, 0.3119109302657022, 0.5774720149078243], [5.3704987267266, 0.37747752060007544, 0.17829454646452778, 0.4141173775278981], [0.4195176070490582, -0.6437681216055506, -1.367403444902548, 0.03167651888919672]],
    fits: [[1, 1, 1.724268014278402], [2, 2, 0.47949380302947864], [3, 3, 0.12315244992909283], [0.5, 1, 1.724268014278402], [0.9, 2, 0.47949380302947864], [0.99, 3, 0.12315244992909283]],
  },
  B: {
    X: [[0.39, -2.44, -0.11, 0.16, 0.56, -0.82, -1.33, -0.95, 0.55], [-0.85, -0.76, 1.14, -0.79, -0.9, -0.09, 0.2, 1.04, -0.88], [-1.57, -0.12, 0.64, -1.48, -0.49, 0.31, 0.23, 0.08, -0.26], [-0.8, -0.93, 1.16, -1.12, 1.23, -1.32, 2.9, -1.74, 1.6], [-0.9, -0.12, -0.07, -0.65, 2.23, 0.09, -1.32, 0.65, 0.71], [-1.15, 0.54, 0.07, 0.82, 0.71, -0.01, -0.41, 0.91, 0.31]],
    mean_: [-0.8133333333333334, -0.6383333333333333, 0.4716666666666667, -0.51, 0.5566666666666666, -0.30666666666666664, 0.04499999999999996, -0.0016666666666666312, 0.3383333333333334],
    singular_values_: [4.3681049274701, 3.5482142889407853, 2.852595473289587, 1.6204184220011812, 0.9306241126835976, 4.449264034682586e-16],
    explained_variance_: [3.8160681314777127, 2.5179649280487126, 1.6274601868464487, 0.5251511724721596, 0.17321224782162664, 3.959190090063993e-32],
    explained_variance_ratio_: [0.4406618121251871, 0.2907628873051457, 0.1879315385335227, 0.060642016685283094, 0.02000174535086148, 4.571888707238799e-33],
    components_: [[0.02549872416161024, -0.15635243963732115, 0.18744939339845912, -0.19866402768706612, 0.0714142038611626, -0.26056195633662765, 0.7152754457477438, -0.48814662976503226, 0.27820934862006724], [0.327493263870289, -0.3625942058651169, -0.26101180004483404, 0.257063994288345, 0.48738483782016057, -0.18319251582624624, -0.3985181496199924, -0.2998018136779458, 0.32751065023544684], [0.28138816828919877, -0.611287571174349, 0.0886574172265865, -0.04699657387793954, -0.6210471820217068, -0.09710033535399516, -0.14531174578803593, -0.16320857691528776, -0.3069181780595909], [0.121131212133461, 0.1400498885453774, 0.002259234341121374, 0.8766442698401522, -0.22930807924177504, -0.21574787512434573, 0.2862618940686896, 0.12349948858633782, 0.029591243282779726], [-0.33537740045711173, 0.25837236340415676, -0.41585058856172397, 0.09556527516082208, -0.3870833732718341, 0.23063684155894784, -0.15872140679027896, -0.6207260224533724, 0.1586855910151426], [0.2703544368729566, 0.025598289798291186, -0.5907559761526612, -0.026688837512875884, 0.2338627987379277, 0.1404948649332485, 0.3515682061097169, -0.0831249974408551, -0.6095963452660638]],
    transform3: [[-0.25745670584178193, 2.368673232538954, 1.6942735524743495, 0.0849964583298808, 0.1576451859048942, -1.5797613985924997e-16], [-0.6980593498701894, -1.7370432328885541, 1.2014842173914853, 0.15881260378863188, -0.5745238270223219, 1.7703287144503655e-15], [-0.1855066450898576, -1.6463053537014058, 0.264321750331755, -0.7167246475630504, 0.5973624276683983, -3.0598097748279356e-15]],
    fits: [[1, 1, 0.9687577070377895], [2, 2, 0.5814559017850587], [3, 3, 0.23278780676459543], [0.5, 2, 0.5814559017850587], [0.9, 3, 0.23278780676459543], [0.99, 5, 3.959190090063993e-32]],
  },
  C: {
    X: [[-1.4893, -0.1635, -0.0242, -0.0026, 0.0046], [-0.3773, 0.1432, 0.0828, 0.005, 0.0009], [1.298, 0.0592, 0.0093, 0.0069, 0.0008], [-0.6804, -0.3498, -0.0057, 0.014, -0.0005], [1.1484, 0.1238, -0.0154, -0.0263, 0.0004], [-0.2769, -0.4802, 0.0257, -0.0003, 0.0008], [-0.6044, 0.0606, -0.0237, 0.0106, 0.0002], [-1.4025, 0.0643, 0.0034, -0.002, -0.0027], [1.0595, -0.2195, 0.0791, -0.0066, 0.0001], [-0.0448, 0.0454, 0.1322, -0.005, 0.0041], [0.6235, -0.2085, 0.0628, 0.0084, 0.0019], [-1.334, 0.1508, -0.0201, -0.0014, -0.0003]],
    mean_: [-0.17335, -0.06451666666666667, 0.02551666666666667, 5.833333333333336e-05, 0.0008583333333333333],
    singular_values_: [3.342476870525057, 0.7023186982178639, 0.1600067384639869, 0.03212283166358766, 0.0060203934495264904],
    explained_variance_: [1.0156501481813616, 0.044841050351494084, 0.002327468759443882, 9.380693764429e-05, 3.2950124806455888e-06],
    explained_variance_ratio_: [0.9555321104185417, 0.04218683328355717, 0.0021897019752588173, 8.825434748338462e-05, 3.0999751588915215e-06],
    components_: [[0.9998210736941437, -0.004436880156842667, 0.018166145306171447, -0.002847857943970098, 0.00012474537898103953], [-0.004551230444289947, -0.9998584151109781, 0.008439201990969494, 0.013789910809127018, 0.0010267730216957129], [-0.018068081167142903, 0.008799932548869564, 0.999513214674887, 0.01936513894265003, 0.013943841439063622], [-0.0032560855281312173, -0.013578893261520807, 0.019037186407901276, -0.9993397151576083, 0.02761758148728217], [0.00022192003904209986, 0.0012801059192737948, -0.014480685702497179, 0.02732861444437468, 0.9995207694962962]],
    transform3: [[-1.3161704876197615, 0.1045061251627359, -0.026786126355451755, 0.007442378278026541, 0.0039684115770229275], [-0.2038085725464933, -0.20620742013084867, 0.06286460351227614, -0.006003223333619135, -0.00043216760164723053], [1.4702237350618457, -0.13043817281794656, -0.041572869099900475, -0.013618256802858546, 0.0008483888321692254]],
    fits: [[1, 1, 0.011816405265265726], [2, 2, 0.0008081902365229392], [3, 3, 4.8550975062467794e-05], [0.5, 1, 0.011816405265265726], [0.9, 1, 0.011816405265265726], [0.99, 2, 0.0008081902365229392]],
  },
};

type Case = (typeof SK)['A'];

function values(t: Tensor | null): number[] {
  if (!t) throw new Error('missing tensor');
  return Array.from(t.toTypedArray());
}

/** max |a − e| / max(1, |e|) over flattened nested arrays. */
function relErr(actual: ArrayLike<number>, expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}

/** The first `rows` rows and `cols` columns of a nested fixture, flattened. */
function block(m: readonly (readonly number[])[], rows = m.length, cols = m[0].length): number[] {
  return m.slice(0, rows).flatMap((r) => r.slice(0, cols));
}

const backends = backendsUnderTest();

for (const be of backends) {
  const f64 = (v: readonly (readonly number[])[]) => Tensor.from(v.map((r) => [...r]), { dtype: 'float64', backend: be });

  for (const [name, route] of [['A', 'eigh'], ['B', 'svd'], ['C', 'svd']] as const) {
    test(`[${be}] PCA of ${name} (all components, float64) is scikit-learn's, through the ${route} route`, (t) => {
      const c: Case = SK[name];
      const X = f64(c.X);
      const [n, d] = [c.X.length, c.X[0].length];
      const pca = new PCA().fit(X);
      const k = Math.min(n, d);
      // B's last component belongs to a zero singular value: arbitrary, as in scikit-learn; compare the others.
      const sure = name === 'B' ? k - 1 : k;
      t.is(pca.nComponents, k);
      t.is(pca.solverUsed, route);
      t.deepEqual(pca.components?.shape, [k, d]);
      t.is(pca.components?.dtype, 'float64');
      t.is(pca.components?.backend.name, be);
      t.true(relErr(values(pca.mean), c.mean_) < 1e-14);
      t.true(relErr(values(pca.singularValues), c.singular_values_) < 1e-12, `${values(pca.singularValues)}`);
      t.true(relErr(values(pca.explainedVariance), c.explained_variance_) < 1e-12);
      t.true(relErr(values(pca.explainedVarianceRatio), c.explained_variance_ratio_) < 1e-12);
      const comps = values(pca.components);
      t.true(relErr(comps.slice(0, sure * d), block(c.components_, sure)) < 1e-10, `components ${name}`);
      t.true(orthonormalityError(transpose(comps, k, d), d, k) < 1e-12);
      const Z = values(pca.transform(X.sliceRows(0, 3)));
      const Zsure = [0, 1, 2].flatMap((r) => Z.slice(r * k, r * k + sure));
      t.true(relErr(Zsure, block(c.transform3, 3, sure)) < 1e-10, `transform ${name}`);
      t.is(pca.noiseVariance, 0);
    });

    test(`[${be}] PCA of ${name}: counts and fractions keep scikit-learn's number of components, noise variance and transform`, (t) => {
      const c: Case = SK[name];
      const X = f64(c.X);
      const d = c.X[0].length;
      for (const [asked, kept, noise] of c.fits) {
        const pca = new PCA({ nComponents: asked }).fit(X);
        t.is(pca.nComponents, kept, `nComponents ${asked}`);
        t.is(pca.requestedComponents, asked);
        t.true(Math.abs(pca.noiseVariance - noise) <= 1e-12 * Math.max(1, noise), `noise ${asked}: ${pca.noiseVariance} vs ${noise}`);
        t.true(relErr(values(pca.components), block(c.components_, kept)) < 1e-10, `components for ${asked}`);
        t.true(relErr(values(pca.singularValues), c.singular_values_.slice(0, kept)) < 1e-12);
        t.deepEqual(pca.transform(X).shape, [c.X.length, kept]);
        t.true(relErr(values(pca.transform(X.sliceRows(0, 3))), block(c.transform3, 3, kept)) < 1e-10);
        // fitTransform is transform after fit.
        t.true(maxDiff(values(new PCA(asked).fitTransform(X)), values(pca.transform(X))) < 1e-12);
        t.deepEqual(pca.components?.shape, [kept, d]);
      }
    });
  }

  test(`[${be}] a fraction equal to a cumulative ratio keeps one more component (searchsorted side='right')`, (t) => {
    const X = f64(SK.A.X);
    const ratio = values(new PCA().fit(X).explainedVarianceRatio);
    const cumsum = ratio[0] + ratio[1];
    t.is(new PCA(cumsum).fit(X).nComponents, 3);
    t.is(new PCA(cumsum * (1 - 1e-15)).fit(X).nComponents, 2);
    t.is(new PCA(ratio[0]).fit(X).nComponents, 2);
  });

  test(`[${be}] both routes agree and give orthonormal components; all components reconstruct X exactly`, (t) => {
    const g = new Generator(7);
    for (const [n, d] of [[40, 12], [15, 30], [30, 30]]) {
      // A decaying spectrum: column j scaled by 0.8^j.
      const raw = Tensor.randn([n, d], { dtype: 'float64', backend: be, generator: g });
      const scales = Tensor.from(Array.from({ length: d }, (_, j) => 0.8 ** j), { dtype: 'float64', backend: be });
      const X = raw.mul(scales).add(3);
      const k = 6;
      const e = new PCA({ nComponents: k, solver: 'eigh' }).fit(X);
      const s = new PCA({ nComponents: k, solver: 'svd' }).fit(X);
      const a = new PCA({ nComponents: k }).fit(X);
      t.is(e.solverUsed, 'eigh');
      t.is(s.solverUsed, 'svd');
      t.is(a.solverUsed, 'eigh', `${n}×${d}: s_1/s_6 is small, so auto takes eigh`);
      t.true(maxDiff(values(e.components), values(s.components)) < 1e-11, `${n}×${d}: eigh vs svd ${maxDiff(values(e.components), values(s.components))}`);
      t.true(relErr(values(e.singularValues), values(s.singularValues)) < 1e-12);
      t.true(orthonormalityError(transpose(values(e.components), k, d), d, k) < 1e-12);
      t.true(orthonormalityError(transpose(values(s.components), k, d), d, k) < 1e-13);
      const all = new PCA().fit(X);
      const back = all.inverseTransform(all.transform(X));
      t.deepEqual(back.shape, [n, d]);
      t.true(maxDiff(values(back), values(X)) < 1e-12, `${n}×${d}: reconstruction ${maxDiff(values(back), values(X))}`);
      // Fewer components: the reconstruction error is the dropped variance, (n − 1)·Σ dropped eigenvalues.
      const z = e.transform(X);
      const resid = values(e.inverseTransform(z).sub(X)).reduce((acc, v) => acc + v * v, 0);
      const dropped = values(all.explainedVariance).slice(k).reduce((acc, v) => acc + v, 0) * (n - 1);
      t.true(Math.abs(resid - dropped) < 1e-10 * dropped, `${resid} vs ${dropped}`);
    }
  });

  test(`[${be}] auto falls back to svd when a kept component is too small for the eigh route`, (t) => {
    const X = f64(SK.C.X); // s_1/s_i: 4.8, 21, 104, 555
    t.is(new PCA(3).fit(X).solverUsed, 'eigh');
    t.is(new PCA(4).fit(X).solverUsed, 'svd');
    // float32 tolerates ratios up to 2^12: the eigh route, still scikit-learn's answer to float32 accuracy.
    const f = new PCA().fit(X.astype('float32'));
    t.is(f.solverUsed, 'eigh');
    t.is(f.components?.dtype, 'float32');
    t.true(relErr(values(f.components), block(SK.C.components_)) < 1e-6, `${relErr(values(f.components), block(SK.C.components_))}`);
    t.true(relErr(values(f.transform(X.astype('float32').sliceRows(0, 3))), block(SK.C.transform3)) < 1e-6);
    t.true(relErr(values(f.singularValues), SK.C.singular_values_) < 1e-6);
  });

  test(`[${be}] float32 input: attributes and projections are float32 on the input's backend, close to scikit-learn's`, (t) => {
    const X = f64(SK.A.X).astype('float32');
    const pca = new PCA(0.9).fit(X);
    t.is(pca.nComponents, 2);
    for (const a of [pca.components, pca.mean, pca.explainedVariance, pca.explainedVarianceRatio, pca.singularValues]) {
      t.is(a?.dtype, 'float32');
      t.is(a?.backend.name, be);
    }
    const Z = pca.transform(X);
    t.is(Z.dtype, 'float32');
    t.true(relErr(values(Z.sliceRows(0, 3)), block(SK.A.transform3, 3, 2)) < 1e-5);
    t.true(relErr(values(pca.components), block(SK.A.components_, 2)) < 1e-6);
  });

  test(`[${be}] PCA errors: bad nComponents, too many components, too few samples, unfitted, wrong widths, non-finite, constant data`, (t) => {
    for (const bad of [0, -1, 1.5, 2.5, NaN, Infinity, 1e-400]) {
      t.throws(() => new PCA(bad), { instanceOf: RangeError, message: /^PCA: nComponents must be a positive integer or a fraction in \(0, 1\), got / });
    }
    t.throws(() => new PCA({ nComponents: 'all' as unknown as number }), { instanceOf: RangeError, message: /got all$/ });
    t.throws(() => new PCA({ solver: 'lapack' as 'svd' }), { instanceOf: RangeError, message: `PCA: solver must be 'auto', 'svd' or 'eigh', got "lapack"` });
    const X = f64(SK.A.X);
    t.throws(() => new PCA(5).fit(X), { instanceOf: RangeError, message: 'PCA.fit: nComponents=5 must be at most min(samples, features) = 4 for X [10, 4]' });
    t.throws(() => new PCA().fit(X.sliceRows(0, 1)), { instanceOf: ShapeError, message: 'PCA.fit: X needs at least 2 samples, got shape [1, 4]' });
    t.throws(() => new PCA().fit(X.reshape(40)), { instanceOf: ShapeError, message: 'PCA.fit: X must be a matrix [samples, features], got shape [40]' });
    t.throws(() => new PCA().transform(X), { instanceOf: Error, message: 'PCA.transform: this PCA is not fitted yet; call fit(X) first' });
    const pca = new PCA(2).fit(X);
    t.throws(() => pca.transform(f64([[1, 2, 3]])), { instanceOf: ShapeError, message: 'PCA.transform: X has 3 features but this PCA was fitted on 4' });
    t.throws(() => pca.inverseTransform(f64([[1, 2, 3]])), { instanceOf: ShapeError, message: 'PCA.inverseTransform: Z has 3 columns but this PCA has 2 components' });
    const bad = values(X);
    bad[2 * 4 + 3] = NaN;
    t.throws(() => new PCA().fit(Tensor.from(bad, { dtype: 'float64', backend: be, shape: [10, 4] })),
      { instanceOf: RangeError, message: 'PCA.fit: X[2, 3] is NaN; the data must be finite' });
    bad[2 * 4 + 3] = -Infinity;
    t.throws(() => pca.transform(Tensor.from(bad, { dtype: 'float64', backend: be, shape: [10, 4] })),
      { instanceOf: RangeError, message: 'PCA.transform: X[2, 3] is -Infinity; the data must be finite' });
    t.throws(() => new PCA().fit(f64([[1, 2], [1, 2], [1, 2]])),
      { instanceOf: RangeError, message: 'PCA.fit: X has zero variance (all 3 rows are equal); it has no principal components' });
    t.throws(() => new PCA({ solver: 'eigh' }).fit(f64(SK.B.X)), { instanceOf: RangeError, message: /^PCA.fit: singular value 6 of the centred data is 0, so solver 'eigh'/ });
  });
}

if (backends.includes('cpu')) {
  test('cpu and ts give the same PCA (float64 to 1e-10, float32 to 1e-5), on both routes', (t) => {
    for (const [n, d] of [[60, 25], [20, 50]]) {
      const X = Tensor.randn([n, d], { dtype: 'float64', generator: new Generator(n * d), backend: 'ts' });
      for (const dtype of ['float64', 'float32'] as const) {
        for (const nComponents of [5, 0.8, undefined]) {
          const ts = new PCA({ nComponents }).fit(X.astype(dtype));
          const cpu = new PCA({ nComponents }).fit(X.astype(dtype).to('cpu'));
          const tol = dtype === 'float64' ? 1e-10 : 1e-5;
          t.is(cpu.nComponents, ts.nComponents);
          t.is(cpu.solverUsed, ts.solverUsed);
          const k = nComponents === undefined && n <= d ? ts.nComponents - 1 : ts.nComponents; // skip the zero singular value's arbitrary axis
          const what = `${n}×${d} ${dtype} ${nComponents}`;
          t.true(maxDiff(values(cpu.components).slice(0, k * d), values(ts.components).slice(0, k * d)) < tol, what);
          t.true(relErr(values(cpu.singularValues), values(ts.singularValues)) < tol, what);
          t.true(relErr(values(cpu.explainedVarianceRatio), values(ts.explainedVarianceRatio)) < tol, what);
          t.true(maxDiff(values(cpu.mean), values(ts.mean)) < tol, what);
        }
      }
    }
  });
}

test('PCA runs on a device backend (cuda over the mock addon): the same answer as ts, results in device memory', (t) => {
  const cuda = createCudaBackend(new MockCudaAddon());
  const X = Tensor.randn([30, 8], { dtype: 'float32', backend: 'ts', generator: new Generator(1) });
  for (const nComponents of [3, 0.9, undefined]) {
    const ts = new PCA({ nComponents }).fit(X), dev = new PCA({ nComponents }).fit(X.to(cuda));
    t.is(dev.nComponents, ts.nComponents);
    t.is(dev.components?.backend, cuda);
    const z = dev.transform(X.to(cuda));
    t.is(z.backend, cuda);
    t.true(maxDiff(values(z), values(ts.transform(X))) < 1e-5);
    t.true(maxDiff(values(dev.inverseTransform(z)), values(ts.inverseTransform(ts.transform(X)))) < 1e-5);
  }
});
