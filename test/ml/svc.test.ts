/** ml.SVC: scikit-learn 1.2's models, separable and XOR data, the KKT conditions, cpu against ts, the kernel cache and shrinking, save/load, errors, maxIter. */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendName } from '../../src/backend/backend';
import { ShapeError } from '../../src/errors';
import { saveSafetensors } from '../../src/io/safetensors';
import { SVC, type Gamma, type SVCOptions } from '../../src/ml/svc';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest, cpuAddonTest } from '../helpers/backends';

/*
 * Fixtures: scikit-learn 1.2.1 (numpy 1.24.2) in Debian's /usr/bin/python3:
 *
 *   import numpy as np
 *   from sklearn.svm import SVC
 *   rng = np.random.RandomState(7)
 *   X = np.round(np.vstack([rng.randn(12, 2) * 0.9 + [1.2 * c, 0.8 * (c % 2)] for c in range(3)]), 3)
 *   y = np.repeat([1, 3, 5], 12)
 *   p = rng.permutation(36); X, y = X[p], y[p]
 *   Xt = np.round(rng.randn(6, 2) + [1.2, 0.4], 3)
 *   for kernel in ['rbf', 'linear', 'poly']:
 *       clf = SVC(C=2.0, kernel=kernel, gamma='scale', degree=3, coef0=0.5 if kernel == 'poly' else 0).fit(X, y)
 *       # support_, n_support_, dual_coef_.ravel(), -intercept_ (rho), decision_function(Xt).ravel() (ovr),
 *       # predict(Xt), n_iter_
 *
 * Three classes, so scikit-learn's dual_coef_ and intercept_ carry no binary sign flip.
 */
const SK = {
  X: [[2.068,-1.716],[-0.286,1.282],[2.491,0.227],[-0.348,1.826],[-0.001,-1.579],[1.545,2.823],[0.03,0.367],[1.521,-0.419],[2.315,1.074],[0.916,0.54],[0.835,-1.259],[-0.218,-1.308],[2.79,0.504],[1.711,0.122],[2.642,-0.472],[0.116,2.116],[2.31,1.53],[0.247,-1.374],[1.326,-0.945],[3.748,-0.254],[0.532,1.765],[-0.563,-0.154],[4.121,0.214],[1.109,0.451],[2.055,-0.801],[-0.658,0.204],[1.957,0.638],[2.144,0.425],[1.486,0.139],[2.281,-0.279],[-0.71,0.002],[0.499,0.111],[0.455,-0.235],[1.159,-0.506],[2.13,-1.062],[-0.338,-0.823]],
  y: [5,3,5,1,1,3,1,1,5,1,3,1,3,3,5,3,5,1,5,5,3,1,5,5,5,3,3,3,1,5,1,1,1,3,5,3],
  Xt: [[1.749,1.077],[1.188,0.324],[0.526,0.344],[3.46,1.269],[0.858,-0.072],[0.336,0.774]],
  rbf: {
    support: [3,4,6,7,9,17,21,28,30,31,1,5,10,12,13,15,20,25,26,27,33,35,0,2,8,16,18,22,23,24,29],
    nSupport: [10,12,9],
    dualCoef: [2,1.4961901615901156,2,2,2,2,0.25500569261219336,2,2,0.6578967065088172,-2,0,-2,0,-2,-0.4090925607111263,-2,-2,-2,0,-2,-2,0,0,-1.6309676418521832,-0.14038647858045547,-2,-0.3510414555455477,-2,-2,-0.04426879136254246,0.7121539332126751,0,0,2,1.8774689637441346,1.577041470383919,0,2,0,0,0.5239837854605699,1.6899014760210167,2,2,2,0,0.2322897933427247,0.10483700585268588,2,2,2,0,-0.2771302617896246,-2,-2,-2,-2,-0.758193815004016,-2,-1.7894886746693535,-1.7261993092140036],
    rho: [0.26989660730497733,0.032416867773360905,-0.15232928320548456],
    ovr: [-0.19573570177813518,1.1726183360073825,2.0861372954286845,2.1520064306127287,1.0935161383864644,-0.18373897880807732,2.2282454137805905,1.060765811246223,-0.23514642641311642,-0.23111970673568719,1.0198324864600308,2.2290976899726016,2.214686841023693,1.02897878573721,-0.21857601124405843,2.2132530679463276,1.1254252068450143,-0.2346904607480449],
    pred: [5,1,1,5,1,1],
    iter: [18,30,41],
  },
  linear: {
    support: [3,6,7,9,21,28,30,31,32,1,5,10,12,13,15,20,25,26,27,33,35,8,16,18,23,24,29,34],
    nSupport: [9,12,7],
    dualCoef: [2,2,2,2,0.4769571915085289,2,2,2,2,-2,0,-2,0,-2,-1.5796044108087435,-2,-2,0,-0.8973527806997847,-2,-2,0,-1.2658235952663988,-2,-2,-0.7341764047336009,0,0,0,0,2,2,0,2,0,0,0,0,0.30002864700625204,2,2,2,0,0,0,2,2,2,0,-2,-2,-2,-2,-2,-0.30002864700625276,-2],
    rho: [-0.5602600545700471,-2.121344968107921,-2.543379902940146],
    ovr: [-0.1990391181537568,2.195634870619561,1.0192720486126288,1.0235155653863441,2.181658030524073,-0.18672156827088077,2.195502445644089,1.215709303739946,-0.2549445795399726,-0.2785539540371814,1.0057803791386464,2.278394626221996,2.163849379140498,1.175574400330755,-0.2250970832371123,1.2037392163465532,2.236335019282042,-0.26678138977813054],
    pred: [3,3,1,5,1,3],
    iter: [79,19,130],
  },
  poly: {
    support: [3,4,7,9,17,21,28,30,31,1,5,10,12,13,15,20,25,26,27,33,35,2,8,16,18,23,24,29],
    nSupport: [9,12,7],
    dualCoef: [2,0.3967135665960037,2,2,2,0.1817211780316203,2,2,1.5759988323926697,-2,0,-2,0,-2,-0.21375970364442584,-1.3514776203860934,-2,-0.5891962529897748,0,-2,-2,0,-0.19585187714627106,0,-2,-2,0,-0.6234333079124099,0.026534666835375302,0,2,0.21163933913849525,0.5811111790848105,0,2,0,0,0,0.6440776830257778,2,2,2,0,0,0,2,2,0.5304796812991577,0,-0.6905498927934337,-2,-1.7216752834788587,-2,-2,-0.7623321880526425,-2],
    rho: [-1.0591520930273017,-1.312378607296281,-1.8412743351465757],
    ovr: [-0.20121951262560503,2.2173753604818467,0.9133011361632751,2.1931910049156493,1.132378431978323,-0.22358606094027572,2.2259608807298727,1.142661344547792,-0.24681305912062515,-0.31056299920907404,1.27306775995512,2.3003556852849747,2.2207620211473644,1.1166623710952606,-0.23808209368813454,2.216686194815786,1.1723684695704186,-0.24848258194856823],
    pred: [3,1,1,5,1,1],
    iter: [57,38,195],
  },
};

const KERNELS = ['rbf', 'linear', 'poly'] as const;
const fixtureOptions = (kernel: (typeof KERNELS)[number]): SVCOptions => ({ C: 2, kernel, degree: 3, coef0: kernel === 'poly' ? 0.5 : 0 });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return Number.isNaN(worst) ? Infinity : worst;
}

const values = (t: Tensor): number[] => Array.from(t.toTypedArray());

interface Data { X: Float64Array; y: number[]; n: number; d: number }

/** Gaussian blobs (std `std` around each centre, `per` samples each, label labels[c]), shuffled. */
function blobs(seed: number, centres: number[][], labels: number[], per: number, std: number): Data {
  const gen = new Generator(seed);
  const d = centres[0].length;
  const rows: number[][] = [];
  const y: number[] = [];
  centres.forEach((c, k) => {
    for (let s = 0; s < per; s++) {
      rows.push(c.map((v) => v + gen.normal(0, std)));
      y.push(labels[k]);
    }
  });
  const perm = gen.permutation(rows.length);
  const X = new Float64Array(rows.length * d);
  const ys: number[] = [];
  perm.forEach((p, i) => { X.set(rows[p], i * d); ys.push(y[p]); });
  return { X, y: ys, n: rows.length, d };
}

const tensorOf = (data: Data, be: BackendName, dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  Tensor.from(dtype === 'float64' ? data.X : Float32Array.from(data.X), { dtype, backend: be, shape: [data.n, data.d] });

/** Captures the process warnings emitted while `body` runs (emitWarning delivers them on the next tick). */
async function warningsDuring(body: () => void): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error): void => { seen.push(w.message); };
  process.on('warning', listener);
  try {
    body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

function sameModel(t: ExecutionContext, a: SVC, b: SVC, what: string): void {
  t.deepEqual(Array.from(a.support), Array.from(b.support), `${what}: support`);
  t.deepEqual(Array.from(a.nSupport), Array.from(b.nSupport), `${what}: nSupport`);
  t.deepEqual(Array.from(a.rho), Array.from(b.rho), `${what}: rho`);
  t.deepEqual(values(a.dualCoef), values(b.dualCoef), `${what}: dualCoef`);
  t.deepEqual(Array.from(a.iterations), Array.from(b.iterations), `${what}: iterations`);
}

const backends = backendsUnderTest();

for (const be of backends) {
  const f64 = (v: number[][]): Tensor => Tensor.from(v.map((r) => [...r]), { dtype: 'float64', backend: be });

  for (const kernel of KERNELS) {
    test(`[${be}] SVC ${kernel} (C=2, float64, labels 1,3,5 shuffled) is scikit-learn's model`, (t) => {
      const sk = SK[kernel];
      const clf = new SVC(fixtureOptions(kernel)).fit(f64(SK.X), SK.y);
      const ovr = clf.decisionFunction(f64(SK.Xt), 'ovr');
      t.deepEqual(Array.from(clf.classes), [1, 3, 5]);
      t.deepEqual(Array.from(clf.support), sk.support);
      t.deepEqual(Array.from(clf.nSupport), sk.nSupport);
      t.deepEqual(clf.dualCoef.shape, [2, sk.support.length]);
      t.deepEqual(ovr.shape, [SK.Xt.length, 3]);
      t.deepEqual(Array.from(clf.predict(f64(SK.Xt))), sk.pred);
      t.deepEqual(clf.decisionFunction(f64(SK.Xt)).shape, [SK.Xt.length, 3]); // ovo: k(k − 1)/2 = 3 pairs
      t.is(clf.nFeatures, 2);
      t.deepEqual(clf.supportVectors.shape, [sk.support.length, 2]);
      t.deepEqual(values(clf.supportVectors), sk.support.flatMap((i) => SK.X[i]));
      const dual = maxAbsDiff(values(clf.dualCoef), sk.dualCoef);
      const rho = maxAbsDiff(clf.rho, sk.rho);
      const dec = maxAbsDiff(values(ovr), sk.ovr);
      // cpu's rbf pair (1, 3) takes 17 SMO steps where libsvm takes 18 (its Q comes from BLAS GEMM
      // under -march=native, so a float Q entry can differ by an ulp and flip a near-tie in the
      // working-set choice); the model is another solution within tol, not libsvm's to 1e-9.
      const exact = !(be === 'cpu' && kernel === 'rbf');
      const tol = exact ? 1e-9 : 1e-2;
      t.true(dual < tol, `dualCoef off by ${dual}`);
      t.true(rho < tol, `rho off by ${rho}`);
      t.true(dec < tol, `ovr decision off by ${dec}`);
      if (exact) {
        t.deepEqual(Array.from(clf.iterations), sk.iter);
      } else {
        t.log(`cpu rbf against scikit-learn: dualCoef ${dual.toExponential(2)}, rho ${rho.toExponential(2)}, decision ${dec.toExponential(2)}, iterations ${Array.from(clf.iterations)} (scikit-learn ${sk.iter})`);
        clf.iterations.forEach((it, p) => t.true(Math.abs(it - sk.iter[p]) <= 1, `pair ${p}: ${it} iterations, scikit-learn ${sk.iter[p]}`));
      }
    });
  }

  test(`[${be}] separable blobs: training accuracy 1 with few support vectors; XOR needs rbf (linear cannot)`, (t) => {
    const sep = blobs(11, [[-2, -2], [2, 2]], [7, -2], 20, 0.5);
    for (const kernel of ['linear', 'rbf'] as const) {
      const clf = new SVC({ kernel, C: 1 }).fit(tensorOf(sep, be), sep.y);
      t.is(clf.score(tensorOf(sep, be), sep.y), 1, kernel);
      t.true(clf.support.length <= 8, `${kernel}: ${clf.support.length} support vectors of ${sep.n}`);
      t.deepEqual(Array.from(clf.classes), [-2, 7]);
    }
    const xor = blobs(12, [[1.5, 1.5], [-1.5, -1.5], [1.5, -1.5], [-1.5, 1.5]], [4, 4, 9, 9], 25, 0.3);
    const rbf = new SVC({ kernel: 'rbf', C: 10 }).fit(tensorOf(xor, be), xor.y);
    t.is(rbf.score(tensorOf(xor, be), xor.y), 1);
    const linear = new SVC({ kernel: 'linear', C: 1 }).fit(tensorOf(xor, be), xor.y);
    const acc = linear.score(tensorOf(xor, be), xor.y);
    t.true(acc < 0.9, `linear on XOR scored ${acc}`);
  });

  for (const kernel of ['rbf', 'linear'] as const) {
    test(`[${be}] binary ${kernel} model satisfies the KKT conditions to 2·tol and Σ y·α = 0`, (t) => {
      const data = blobs(21, [[0, 0], [1.5, 0.5]], [8, 3], 40, 1);
      const C = 1;
      const tol = 1e-3;
      const X = tensorOf(data, be);
      const clf = new SVC({ kernel, C, tol }).fit(X, data.y);
      const classes = clf.classes;
      t.deepEqual(Array.from(classes), [3, 8]);
      const coef = values(clf.dualCoef);
      const alpha = new Float64Array(data.n);
      clf.support.forEach((row, s) => { alpha[row] = Math.abs(coef[s]); });
      // support vectors: the sign of the coefficient is the +1/−1 side of pair (0, 1)
      clf.support.forEach((row, s) => t.is(Math.sign(coef[s]), data.y[row] === classes[0] ? 1 : -1));
      const f = values(clf.decisionFunction(X)); // [n, 1]
      t.is(f.length, data.n);
      let free = 0;
      let bounded = 0;
      let zero = 0;
      for (let a = 0; a < data.n; a++) {
        const ya = data.y[a] === classes[0] ? 1 : -1;
        const yf = ya * f[a];
        t.true(alpha[a] >= 0 && alpha[a] <= C, `α[${a}] = ${alpha[a]} outside [0, C]`);
        if (alpha[a] === 0) {
          zero++;
          if (!(yf >= 1 - 2 * tol)) t.fail(`row ${a}: α = 0 but y·f = ${yf}`);
        } else if (alpha[a] >= C) {
          bounded++;
          if (!(yf <= 1 + 2 * tol)) t.fail(`row ${a}: α = C but y·f = ${yf}`);
        } else {
          free++;
          if (!(Math.abs(yf - 1) <= 2 * tol)) t.fail(`row ${a}: 0 < α = ${alpha[a]} < C but y·f = ${yf}`);
        }
      }
      t.true(free > 0 && bounded > 0 && zero > 0, `free ${free}, at C ${bounded}, zero ${zero}: every case is checked`);
      t.is(free + bounded, clf.support.length);
      const sum = coef.reduce((s, v) => s + v, 0);
      t.true(Math.abs(sum) < 1e-9, `Σ y·α = ${sum}`);
      // f recomputed from the model's pieces agrees with decisionFunction
      const sv = values(clf.supportVectors);
      const g = clf.gamma;
      let worst = 0;
      for (let a = 0; a < data.n; a++) {
        let s = -clf.rho[0];
        for (let j = 0; j < coef.length; j++) {
          const x0 = data.X[2 * a] - sv[2 * j];
          const x1 = data.X[2 * a + 1] - sv[2 * j + 1];
          const k = kernel === 'rbf' ? Math.exp(-g * (x0 * x0 + x1 * x1)) : data.X[2 * a] * sv[2 * j] + data.X[2 * a + 1] * sv[2 * j + 1];
          s += coef[j] * k;
        }
        worst = Math.max(worst, Math.abs(s - f[a]));
      }
      t.true(worst < 1e-10, `Σ coef·K − ρ differs from decisionFunction by ${worst}`);
    });
  }

  test(`[${be}] a tiny kernel cache (LRU rows) gives exactly the full-matrix model; shrinking off gives the same support set`, (t) => {
    const big = blobs(31, [[0, 0], [1.2, 0.3]], [2, 6], 75, 1);
    const cases: [string, Tensor, number[], SVCOptions][] = [
      ...KERNELS.map((kernel): [string, Tensor, number[], SVCOptions] => [`fixture ${kernel}`, f64(SK.X), SK.y, fixtureOptions(kernel)]),
      ['150 rows rbf', tensorOf(big, be), big.y, { C: 1 }],
      ['150 rows poly', tensorOf(big, be), big.y, { C: 1, kernel: 'poly', coef0: 1 }],
    ];
    for (const [what, X, y, options] of cases) {
      const full = new SVC(options).fit(X, y);
      const lru = new SVC({ ...options, cacheSize: 0.001 }).fit(X, y);
      sameModel(t, lru, full, `${what}, cacheSize 0.001`);
      const none = new SVC({ ...options, cacheSize: 0 }).fit(X, y);
      sameModel(t, none, full, `${what}, cacheSize 0`);
      const unshrunk = new SVC({ ...options, shrinking: false }).fit(X, y);
      t.deepEqual(Array.from(unshrunk.support), Array.from(full.support), `${what}, shrinking false: support`);
      t.true(maxAbsDiff(unshrunk.rho, full.rho) < 1e-3, `${what}, shrinking false: rho off by ${maxAbsDiff(unshrunk.rho, full.rho)}`);
    }
    // the 150-row problems run long enough for shrinking to act (it first runs after l iterations)
    t.true(new SVC({ C: 1, kernel: 'poly', coef0: 1 }).fit(tensorOf(big, be), big.y).iterations[0] > 150);
  });

  test(`[${be}] save/load round trip: same attributes, identical predictions and decision values; bad files are errors naming the file`, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-svc-'));
    try {
      for (const kernel of KERNELS) {
        const clf = new SVC(fixtureOptions(kernel)).fit(f64(SK.X), SK.y);
        const file = path.join(dir, `${kernel}.safetensors`);
        clf.save(file);
        const again = SVC.load(file, { backend: be });
        t.deepEqual(again.options, clf.options);
        t.deepEqual(Array.from(again.classes), [1, 3, 5]);
        t.is(again.gamma, clf.gamma);
        t.is(again.nFeatures, 2);
        sameModel(t, again, clf, `${kernel} after load`);
        t.deepEqual(Array.from(again.predict(f64(SK.Xt))), Array.from(clf.predict(f64(SK.Xt))));
        t.deepEqual(values(again.decisionFunction(f64(SK.Xt))), values(clf.decisionFunction(f64(SK.Xt))));
        t.deepEqual(values(again.decisionFunction(f64(SK.Xt), 'ovr')), values(clf.decisionFunction(f64(SK.Xt), 'ovr')));
        t.deepEqual(Array.from(again.predict(f64(SK.Xt))), SK[kernel].pred);
        if (kernel === 'rbf') {
          const bytes = fs.readFileSync(file);
          const truncated = path.join(dir, 'truncated.safetensors');
          fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 16));
          const e = t.throws(() => SVC.load(truncated));
          t.true(e!.message.includes(truncated), e!.message);
        }
      }
      const other = path.join(dir, 'other.safetensors');
      saveSafetensors(other, { w: Tensor.from([1, 2, 3], { dtype: 'float64', backend: be }) }, { format: 'something/1' });
      const e1 = t.throws(() => SVC.load(other), { instanceOf: RangeError, message: /not an SVC model/ });
      t.true(e1!.message.includes(other), e1!.message);
      const corrupt = path.join(dir, 'corrupt.safetensors');
      fs.writeFileSync(corrupt, Buffer.from('this is not a safetensors file at all'));
      const e2 = t.throws(() => SVC.load(corrupt));
      t.true(e2!.message.includes(corrupt), e2!.message);
      const missing = path.join(dir, 'missing.safetensors');
      const e3 = t.throws(() => SVC.load(missing));
      t.true(e3!.message.includes(missing), e3!.message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`[${be}] SVC errors: bad options, one class, non-finite X, label mismatches, shapes, not fitted`, (t) => {
    for (const C of [0, -1, NaN, Infinity]) t.throws(() => new SVC({ C }), { instanceOf: RangeError, message: /^ml\.SVC: C must be/ });
    t.throws(() => new SVC({ kernel: 'cubic' as never }), { instanceOf: RangeError, message: /kernel must be one of linear, poly, rbf, sigmoid, got "cubic"/ });
    for (const gamma of [0, -0.5, NaN, 'foo' as unknown as Gamma]) t.throws(() => new SVC({ gamma }), { instanceOf: RangeError, message: /^ml\.SVC: gamma must be/ });
    for (const degree of [1.5, -1]) t.throws(() => new SVC({ degree }), { instanceOf: RangeError, message: /^ml\.SVC: degree must be an integer/ });
    t.throws(() => new SVC({ tol: 0 }), { instanceOf: RangeError, message: /tol must be/ });
    t.throws(() => new SVC({ maxIter: 2.5 }), { instanceOf: RangeError, message: /maxIter must be/ });
    t.throws(() => new SVC({ cacheSize: -1 }), { instanceOf: RangeError, message: /cacheSize must be/ });
    t.throws(() => new SVC({ shrinking: 1 as unknown as boolean }), { instanceOf: RangeError, message: /shrinking must be a boolean/ });
    t.throws(() => new SVC({ Cee: 1 } as unknown as SVCOptions), { instanceOf: RangeError, message: /unknown option "Cee"/ });

    const X = f64([[0, 0], [1, 1], [2, 0], [3, 1]]);
    t.throws(() => new SVC().fit(X, [4, 4, 4, 4]), { instanceOf: RangeError, message: /single class \(4\)/ });
    t.throws(() => new SVC().fit(f64([[0, 0], [1, NaN], [2, 0], [3, 1]]), [0, 0, 1, 1]), { instanceOf: RangeError, message: /X\[1, 1\] is NaN/ });
    t.throws(() => new SVC().fit(f64([[0, 0], [1, 1], [2, 0], [Infinity, 1]]), [0, 0, 1, 1]), { instanceOf: RangeError, message: /X\[3, 0\] is Infinity/ });
    t.throws(() => new SVC().fit(X, [0, 0, 1]), { instanceOf: RangeError, message: /y has 3 labels but X has 4 samples/ });
    t.throws(() => new SVC().fit(X, [0, 0.5, 1, 1]), { instanceOf: RangeError, message: /y\[1\] is 0\.5/ });
    t.throws(() => new SVC().fit(Tensor.from([0, 1, 2, 3], { dtype: 'float64', backend: be }), [0, 0, 1, 1]), { instanceOf: ShapeError, message: /X must be 2-D/ });
    t.throws(() => new SVC().fit(Tensor.from([0, 1, 2, 3], { dtype: 'float64', backend: be, shape: [1, 2, 2] }), [0]), { instanceOf: ShapeError, message: /X must be 2-D/ });

    const unfitted = new SVC();
    t.throws(() => unfitted.predict(X), { instanceOf: Error, message: /not fitted/ });
    t.throws(() => unfitted.decisionFunction(X), { message: /not fitted/ });
    t.throws(() => unfitted.support, { message: /not fitted/ });
    t.throws(() => unfitted.save(path.join(os.tmpdir(), 'never-written.safetensors')), { message: /not fitted/ });

    const clf = new SVC({ kernel: 'linear' }).fit(X, [0, 0, 1, 1]);
    t.throws(() => clf.predict(f64([[0, 0, 0]])), { instanceOf: ShapeError, message: /X has 3 features but the SVC was fitted on 2/ });
    t.throws(() => clf.decisionFunction(f64([[0]])), { instanceOf: ShapeError, message: /X has 1 features but the SVC was fitted on 2/ });
    t.throws(() => clf.predict(f64([[0, NaN]])), { instanceOf: RangeError, message: /X\[0, 1\] is NaN/ });
    t.throws(() => clf.decisionFunction(X, 'ovx' as never), { instanceOf: RangeError, message: /shape must be 'ovo' or 'ovr'/ });
    t.throws(() => clf.score(X, [0, 1]), { instanceOf: RangeError, message: /y has 2 labels but X has 4 samples/ });
    t.deepEqual(Array.from(clf.predict(X)), [0, 0, 1, 1]);
  });

  test.serial(`[${be}] maxIter 1 stops every pair after one iteration with a process warning; no limit, no warning`, async (t) => {
    let clf: SVC | null = null;
    const warned = await warningsDuring(() => { clf = new SVC({ ...fixtureOptions('rbf'), maxIter: 1 }).fit(f64(SK.X), SK.y); });
    t.deepEqual(Array.from(clf!.iterations), [1, 1, 1]);
    t.true(warned.some((m) => /ml\.SVC\.fit: 3 of 3 binary problems stopped at maxIter=1 before converging/.test(m)), JSON.stringify(warned));
    const quiet = await warningsDuring(() => { clf = new SVC({ ...fixtureOptions('rbf'), maxIter: 1000 }).fit(f64(SK.X), SK.y); });
    t.deepEqual(quiet.filter((m) => m.includes('ml.SVC')), []);
    t.true(clf!.iterations.every((it) => it > 1), `iterations ${Array.from(clf!.iterations)}`);
    t.deepEqual(Array.from(clf!.iterations), Array.from(new SVC(fixtureOptions('rbf')).fit(f64(SK.X), SK.y).iterations));
  });
}

cpuAddonTest('cpu and ts give the same SVC: the same support set, rho to 1e-10 (float64) and tol = 1e-3 (float32)', (t) => {
  const data = blobs(41, [[0, 0, 0], [1, 1, 0], [0, 1.5, 1]], [10, 20, 30], 50, 0.8);
  for (const dtype of ['float64', 'float32'] as const) {
    for (const options of [{ kernel: 'rbf' }, { kernel: 'linear', C: 0.5 }, { kernel: 'poly', coef0: 1, gamma: 'auto' }] as SVCOptions[]) {
      const what = `${dtype} ${JSON.stringify(options)}`;
      const ts = new SVC(options).fit(tensorOf(data, 'ts', dtype), data.y);
      const cpu = new SVC(options).fit(tensorOf(data, 'cpu', dtype), data.y);
      t.is(cpu.supportVectors.backend.name, 'cpu');
      t.deepEqual(Array.from(cpu.support), Array.from(ts.support), what);
      t.deepEqual(Array.from(cpu.nSupport), Array.from(ts.nSupport), what);
      // float32: cpu forms the dot products in float32 (GEMM in the input's dtype), ts in double, so
      // the SMO paths part and the two models agree only to the solver's tolerance (1e-3)
      const tol = dtype === 'float64' ? 1e-10 : 1e-3;
      t.true(maxAbsDiff(cpu.rho, ts.rho) < tol, `${what}: rho off by ${maxAbsDiff(cpu.rho, ts.rho)}`);
      t.true(maxAbsDiff(values(cpu.dualCoef), values(ts.dualCoef)) < (dtype === 'float64' ? 1e-9 : 1e-2), `${what}: dualCoef off by ${maxAbsDiff(values(cpu.dualCoef), values(ts.dualCoef))}`);
      t.deepEqual(Array.from(cpu.predict(tensorOf(data, 'cpu', dtype))), Array.from(ts.predict(tensorOf(data, 'ts', dtype))), what);
    }
  }
});
