/** ml.gaborKernel, ml.gabor, ml.gaborFeatures, ml.gaborBank: scikit-image 0.19's Gabor filters and the bank features. */
import test from 'ava';
import type { DType } from '../../src/backend/backend';
import { ShapeError } from '../../src/errors';
import { convolve2d, type BoundaryMode } from '../../src/ml/filter';
import { gabor, gaborBank, gaborFeatures, gaborKernel, type GaborOptions } from '../../src/ml/gabor';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { maxRelativeError, randomArray } from '../helpers/random';

/** Brute-force scipy 'reflect' convolution: positions folded by d c b a | a b c d, repeated as far as needed. */
function bruteReflect(img: ArrayLike<number>, h: number, w: number, k: ArrayLike<number>, kh: number, kw: number): Float64Array {
  const reflect = (i: number, n: number) => {
    while (i < 0 || i >= n) i = i < 0 ? -1 - i : 2 * n - 1 - i; // one reflection at a time
    return i;
  };
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cols = Array.from({ length: kw }, (_, b) => reflect(x + (kw >> 1) - b, w));
      let s = 0;
      for (let a = 0; a < kh; a++) {
        const r = reflect(y + (kh >> 1) - a, h);
        for (let b = 0; b < kw; b++) s += k[a * kw + b] * img[r * w + cols[b]];
      }
      out[y * w + x] = s;
    }
  }
  return out;
}

function sumAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
}

test('gaborKernel: sizes and values of skimage.filters.gabor_kernel', (t) => {
  // scikit-image 0.19.3, python3:
  //   import math; from skimage.filters import gabor_kernel
  //   g = gabor_kernel(**case); g.shape, g[p].real, g[p].imag, g.real.sum(), g.imag.sum()
  // (sigma_x → sigmaX, n_stds → nStds). Entries: [row, column, real, imag].
  const cases: { options: GaborOptions; shape: number[]; at: [number, number, number, number][]; sums: [number, number] }[] = [
    {
      options: { frequency: 0.25, theta: Math.PI / 4, bandwidth: 1 }, shape: [11, 11],
      at: [[5, 5, 0.031474723207133286, 0], [0, 0, 2.498526361299568e-05, 0.00022288549185089227],
        [6, 6, -0.015643454442151525, 0.020550426085913155], [4, 5, 0.012659513474711366, -0.025546754783856943],
        [10, 3, -0.0017565882038282099, -0.00033886434075279]],
      sums: [0.0012420776047269227, -7.318364664277155e-19],
    },
    {
      // Bandwidth 0.1 at frequency 0.05: sigma ≈ 108 px, a 651×651 kernel.
      options: { frequency: 0.05, bandwidth: 0.1 }, shape: [651, 651],
      at: [[325, 325, 1.3599022271281017e-05, 0], [0, 0, 1.5235170157544637e-23, -1.6365761799596283e-09],
        [326, 326, 1.2932333693594162e-05, 4.201969935305195e-06], [324, 325, 1.359844129825944e-05, 0],
        [650, 217, -7.332694524035133e-08, -5.3275144165835676e-08]],
      sums: [0.0002529718266124282, 1.0349683824263482e-19],
    },
    {
      options: { frequency: 0.05, theta: Math.PI / 2, bandwidth: 1 }, shape: [69, 69],
      at: [[34, 34, 0.0012589889282853316, 0], [0, 0, -4.15529244366128e-08, 1.278867514600503e-07],
        [35, 35, 0.001187935243137524, 0.00038598355834460797], [33, 34, 0.0011926431048879217, -0.0003875132353544538],
        [68, 23, -2.4914778645902045e-06, -7.667980407085817e-06]],
      sums: [0.0010053781507402479, 2.7755575615628914e-17],
    },
    {
      // sigma overrides (bandwidth ignored), nStds and a phase offset.
      options: { frequency: 0.3, theta: 0.3, sigmaX: 2, sigmaY: 0.5, nStds: 2, offset: 0.7 }, shape: [5, 9],
      at: [[2, 4, 0.12172841479154353, 0.10253042935110715], [0, 0, 0.001132876137173481, -0.0046937450597868725],
        [3, 5, -0.054601912685981725, 0.00458546453378753], [1, 4, 0.025112673751900485, 0.003614703918373351],
        [4, 3, 9.266253189651252e-06, 1.234159492074996e-07]],
      sums: [0.016715170636176762, 0.01407899400430936],
    },
    {
      options: { frequency: 0.4, theta: Math.PI, bandwidth: 1 }, shape: [11, 11],
      at: [[5, 5, 0.08057529141026122, 0], [0, 0, 2.5671471873980185e-07, -5.817708898476433e-22],
        [6, 6, -0.039290674542297496, -0.028546346008996734], [4, 5, 0.06255569630382894, -1.9253849552805796e-17],
        [10, 3, 1.6146135846779386e-05, -4.9692696484628026e-05]],
      sums: [0.0020036935428396144, 2.775615738651876e-17],
    },
    {
      // Tiny sigmas: the half-size is at least 1 (a 3×3 kernel).
      options: { frequency: 0.1, sigmaX: 0.1, sigmaY: 0.1 }, shape: [3, 3],
      at: [[1, 1, 15.915494309189533, 0], [0, 0, 4.7899346236500354e-43, -3.480091210447104e-43],
        [2, 2, 4.7899346236500354e-43, 3.480091210447104e-43], [0, 1, 3.069700722912013e-21, 0]],
      sums: [15.915494309189533, 3.480091210447104e-43],
    },
  ];
  for (const { options, shape, at, sums } of cases) {
    const { real, imag } = gaborKernel(options);
    const label = JSON.stringify(options);
    t.deepEqual(real.shape, shape, label);
    t.deepEqual(imag.shape, shape, label);
    t.is(real.dtype, 'float64');
    const w = shape[1];
    const scale = Math.max(...at.map(([, , re]) => Math.abs(re)));
    for (const [r, c, re, im] of at) {
      t.true(Math.abs(real.data[r * w + c] - re) <= 1e-14 * scale + 1e-14 * Math.abs(re), `${label} real[${r}, ${c}] = ${real.data[r * w + c]}, skimage ${re}`);
      t.true(Math.abs(imag.data[r * w + c] - im) <= 1e-14 * scale + 1e-14 * Math.abs(im), `${label} imag[${r}, ${c}] = ${imag.data[r * w + c]}, skimage ${im}`);
    }
    const tol = 1e-13 * sumAbs(real.data);
    t.true(Math.abs(real.sum().item() - sums[0]) <= tol, `${label} Σ real ${real.sum().item()}`);
    t.true(Math.abs(imag.sum().item() - sums[1]) <= tol, `${label} Σ imag ${imag.sum().item()}`);
  }
});

test('gaborKernel: g(−x, −y) is the conjugate of g(x, y) without an offset; the defaults are theta 0, bandwidth 1, nStds 3', (t) => {
  const { real, imag } = gaborKernel({ frequency: 0.2, theta: 0.6 });
  const [h, w] = real.shape;
  let worst = 0;
  for (let i = 0; i < h * w; i++) {
    const j = h * w - 1 - i; // the point reflected through the centre
    worst = Math.max(worst, Math.abs(real.data[i] - real.data[j]), Math.abs(imag.data[i] + imag.data[j]));
  }
  t.true(worst <= 1e-17, `${worst}`);
  const explicit = gaborKernel({ frequency: 0.2, theta: 0, bandwidth: 1, nStds: 3, offset: 0 });
  t.deepEqual(Array.from(gaborKernel({ frequency: 0.2 }).real.data), Array.from(explicit.real.data));
});

test('gaborKernel: bad parameters are one-line RangeErrors naming the parameter', (t) => {
  t.throws(() => gaborKernel({ frequency: 0 }), { instanceOf: RangeError, message: 'ml.gaborKernel: frequency must be a positive number, got 0' });
  t.throws(() => gaborKernel({ frequency: Infinity }), { instanceOf: RangeError, message: 'ml.gaborKernel: frequency must be a positive number, got Infinity' });
  t.throws(() => gaborKernel({} as GaborOptions), { instanceOf: RangeError, message: 'ml.gaborKernel: frequency must be a positive number, got undefined' });
  t.throws(() => gaborKernel({ frequency: 0.1, bandwidth: -1 }), { instanceOf: RangeError, message: 'ml.gaborKernel: bandwidth must be a positive number, got -1' });
  t.throws(() => gaborKernel({ frequency: 0.1, nStds: 0 }), { instanceOf: RangeError, message: 'ml.gaborKernel: nStds must be a positive number, got 0' });
  t.throws(() => gaborKernel({ frequency: 0.1, sigmaX: NaN }), { instanceOf: RangeError, message: 'ml.gaborKernel: sigmaX must be a positive number, got NaN' });
  t.throws(() => gaborKernel({ frequency: 0.1, sigmaY: 0 }), { instanceOf: RangeError, message: 'ml.gaborKernel: sigmaY must be a positive number, got 0' });
  t.throws(() => gaborKernel({ frequency: 0.1, theta: NaN }), { instanceOf: RangeError, message: 'ml.gaborKernel: theta must be a finite number, got NaN' });
  t.throws(() => gaborKernel({ frequency: 0.1, offset: Infinity }), { instanceOf: RangeError, message: 'ml.gaborKernel: offset must be a finite number, got Infinity' });
  t.throws(() => gaborKernel({ frequency: 1e-5 }), { instanceOf: RangeError, message: /^ml\.gaborKernel: the kernel would be \d+×\d+/ });
});

test('gaborBank: every combination, theta-major, then frequency, then bandwidth', (t) => {
  const bank = gaborBank([1, 2], [0.1, 0.2, 0.3], [0.5, 1]);
  t.is(bank.length, 12);
  t.deepEqual(bank.slice(0, 3), [{ frequency: 0.1, theta: 1, bandwidth: 0.5 }, { frequency: 0.1, theta: 1, bandwidth: 1 }, { frequency: 0.2, theta: 1, bandwidth: 0.5 }]);
  t.deepEqual(bank[6], { frequency: 0.1, theta: 2, bandwidth: 0.5 });
  t.deepEqual(bank[11], { frequency: 0.3, theta: 2, bandwidth: 1 });
});

for (const be of backendsUnderTest()) {
  const tensor = (values: ArrayLike<number>, shape: number[], dtype: DType = 'float64') => Tensor.from(values, { dtype, shape, backend: be });

  test(`[${be}] gabor: skimage.filters.gabor's responses, and convolve2d with the kernel's parts`, (t) => {
    // scikit-image 0.19.3 (scipy 1.10.1), python3:
    //   img = ((np.arange(42) * 37 % 11) / 4).reshape(6, 7)
    //   re, im = gabor(img, frequency=0.25, theta=math.pi / 4, bandwidth=1, mode=mode, cval=cval); re[p], im[p]
    const want: [BoundaryMode, number, [number, number, number, number][]][] = [
      ['reflect', 0, [[0, 0, -0.026917508590248836, -0.05786046936790155], [2, 3, -0.02531533726871996, -0.033637994072561336],
        [5, 6, 0.03002270260206617, -0.0578604693679015], [3, 1, -0.021229546001153864, -0.003319947693527895]]],
      ['constant', 0.5, [[0, 0, -0.05646007246970364, -0.06172243048007997], [2, 3, -0.038311731444316884, -0.05011361322251667],
        [5, 6, 0.025998420489170955, -0.004269205499181017], [3, 1, -0.03658477374090747, 0.00387172072187618]]],
      ['wrap', 0, [[0, 0, -0.023499364656191166, -0.006873528528395337], [2, 3, -0.03501225005240283, -0.05253603628448011],
        [5, 6, 0.02660455866800845, -0.0068735285283953165], [3, 1, -0.031147242694145375, 0.017409520864480544]]],
    ];
    const img = tensor(Array.from({ length: 42 }, (_, i) => (i * 37 % 11) / 4), [6, 7]);
    const options = { frequency: 0.25, theta: Math.PI / 4, bandwidth: 1 };
    const kernel = gaborKernel(options);
    for (const [mode, cval, at] of want) {
      const { real, imag } = gabor(img, { ...options, mode, cval });
      t.deepEqual(real.shape, [6, 7]);
      t.deepEqual(imag.shape, [6, 7]);
      for (const [r, c, re, im] of at) {
        t.true(Math.abs(real.data[r * 7 + c] - re) <= 1e-15, `${mode} real[${r}, ${c}] = ${real.data[r * 7 + c]}, skimage ${re}`);
        t.true(Math.abs(imag.data[r * 7 + c] - im) <= 1e-15, `${mode} imag[${r}, ${c}] = ${imag.data[r * 7 + c]}, skimage ${im}`);
      }
      t.true(maxRelativeError(real.data, convolve2d(img, kernel.real, { mode, cval }).data) <= 1e-15, mode);
      t.true(maxRelativeError(imag.data, convolve2d(img, kernel.imag, { mode, cval }).data) <= 1e-15, mode);
    }
    const single = gabor(img.astype('float32'), options);
    t.is(single.real.dtype, 'float32');
    t.is(single.imag.backend, img.backend);
  });

  test(`[${be}] gabor: 131×131 and 651×651 kernels on a 14×14 image in reflect mode match a brute-force sum`, (t) => {
    const img = tensor(randomArray(new Generator(14), 'float64', 196, 0, 1), [14, 14]);
    for (const options of [{ frequency: 0.25, bandwidth: 0.1 }, { frequency: 0.05, theta: Math.PI / 2, bandwidth: 0.1 }]) {
      const kernel = gaborKernel(options);
      const [kh, kw] = kernel.real.shape;
      t.true(kh >= 131 && kw >= 131, `${kh}×${kw}`);
      const { real, imag } = gabor(img, options);
      for (const [part, got] of [[kernel.real, real], [kernel.imag, imag]] as const) {
        const want = bruteReflect(img.data, 14, 14, part.data, kh, kw);
        const err = maxRelativeError(got.data, want, new Array(196).fill(sumAbs(part.data)));
        t.true(err <= 1e-14, `${JSON.stringify(options)}: error ${err}`);
      }
    }
  });

  test(`[${be}] gaborFeatures: [n, filters·H·W], filter-major, each block the magnitude of gabor()`, (t) => {
    const gen = new Generator(4);
    const bank = gaborBank([Math.PI / 4, Math.PI], [0.05, 0.25], [0.1, 1]);
    for (const dtype of ['float64', 'float32'] as const) {
      const n = 3, h = 14, w = 14, hw = h * w;
      const images = tensor(randomArray(gen, dtype, n * hw, 0, 1), [n, h, w], dtype);
      for (const mode of ['reflect', 'nearest'] as const) {
        const X = gaborFeatures(images, bank, { mode });
        t.deepEqual(X.shape, [n, bank.length * hw]);
        t.is(X.dtype, dtype);
        t.is(X.backend, images.backend);
        for (let f = 0; f < bank.length; f++) {
          const { real, imag } = gabor(images, { ...bank[f], mode });
          for (let i = 0; i < n; i++) {
            const want = Array.from({ length: hw }, (_, p) => Math.hypot(real.data[i * hw + p], imag.data[i * hw + p]));
            const got = X.data.subarray(i * bank.length * hw + f * hw, i * bank.length * hw + (f + 1) * hw);
            const err = maxRelativeError(got, want, new Array(hw).fill(Math.max(...want)));
            t.true(err <= (dtype === 'float32' ? 1e-5 : 1e-13), `${dtype} ${mode} filter ${f} image ${i}: error ${err}`);
          }
        }
      }
    }
  });

  test(`[${be}] gaborFeatures: a large batch (processed in chunks) equals the images taken one at a time`, (t) => {
    const bank = gaborBank([Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4, Math.PI], [0.05, 0.25], [0.1, 1]);
    const n = 700; // more than one chunk of responses (2^22 elements / (2·16·196) = 668 images)
    const images = Tensor.rand([n, 14, 14], { dtype: 'float32', backend: be, generator: new Generator(9) });
    const X = gaborFeatures(images, bank);
    t.deepEqual(X.shape, [n, 16 * 196]);
    const row = 16 * 196;
    for (const i of [0, 667, 668, 669, n - 1]) {
      const one = gaborFeatures(images.sliceRows(i, i + 1), bank);
      const err = maxRelativeError(X.data.subarray(i * row, (i + 1) * row), one.data);
      t.true(err <= 1e-6, `image ${i}: error ${err}`); // float32; GEMM may block one row differently
    }
  });
}

test('gaborFeatures: 28×28 images, whose 14 operator matrices are split over two matmuls, with a constant boundary', (t) => {
  // 14 kernels of 784² entries exceed one 2^23-entry group: kernels 0..12, then 13.
  const bank = gaborBank([0, 1, 2, 3, 4, 5, 6], [0.2], [1]);
  const images = Tensor.rand([2, 28, 28], { dtype: 'float64', generator: new Generator(28) });
  const X = gaborFeatures(images, bank, { mode: 'constant', cval: 0.3 });
  t.deepEqual(X.shape, [2, 7 * 784]);
  for (let f = 0; f < bank.length; f++) {
    const { real, imag } = gabor(images, { ...bank[f], mode: 'constant', cval: 0.3 });
    for (let i = 0; i < 2; i++) {
      const want = Array.from({ length: 784 }, (_, p) => Math.hypot(real.data[i * 784 + p], imag.data[i * 784 + p]));
      const err = maxRelativeError(X.data.subarray((i * 7 + f) * 784, (i * 7 + f + 1) * 784), want);
      t.true(err <= 1e-13, `filter ${f} image ${i}: error ${err}`);
    }
  }
});

test('gabor and gaborFeatures: bad shapes are ShapeErrors, bad banks and options RangeErrors', (t) => {
  const bank = [{ frequency: 0.2 }];
  t.throws(() => gaborFeatures(Tensor.zeros([14, 14]), bank), { instanceOf: ShapeError, message: 'ml.gaborFeatures: images must have shape [n, H, W], got [14, 14]' });
  t.throws(() => gaborFeatures(Tensor.zeros([2, 0, 14]), bank), { instanceOf: ShapeError, message: /^ml\.gaborFeatures: image must have shape .* got \[2, 0, 14\]$/ });
  t.throws(() => gaborFeatures(Tensor.zeros([2, 4, 4]), []), { instanceOf: RangeError, message: 'ml.gaborFeatures: bank must be a non-empty array of GaborOptions, got []' });
  t.throws(() => gaborFeatures(Tensor.zeros([2, 4, 4]), [{ frequency: 0.2 }, { frequency: -1 }]),
    { instanceOf: RangeError, message: 'ml.gaborFeatures: bank[1]: frequency must be a positive number, got -1' });
  t.throws(() => gaborFeatures(Tensor.zeros([2, 4, 4]), bank, { mode: 'same' as BoundaryMode }), { instanceOf: RangeError, message: /^ml\.gaborFeatures: mode must be one of/ });
  t.throws(() => gabor(Tensor.zeros([4]), { frequency: 0.2 }), { instanceOf: ShapeError, message: 'ml.gabor: image must have shape [H, W] or [n, H, W] with H, W >= 1, got [4]' });
  t.throws(() => gabor(Tensor.zeros([4, 4]), { frequency: 0.2, bandwidth: 0 }), { instanceOf: RangeError, message: 'ml.gabor: bandwidth must be a positive number, got 0' });
  t.throws(() => gabor(Tensor.zeros([4, 4]), { frequency: 0.2, cval: NaN }), { instanceOf: RangeError, message: 'ml.gabor: cval must be a finite number, got NaN' });
  t.deepEqual(gaborFeatures(Tensor.zeros([0, 4, 4]), bank).shape, [0, 16]);
});
