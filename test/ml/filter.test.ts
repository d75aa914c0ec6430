/** ml.convolve2d and ml.convolutionOperator: scipy.ndimage.convolve with every boundary mode, any kernel size. */
import test from 'ava';
import type { DType } from '../../src/backend/backend';
import { ShapeError } from '../../src/errors';
import { convolutionOperator, convolve2d, type BoundaryMode } from '../../src/ml/filter';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { maxRelativeError, randomArray } from '../helpers/random';

const MODES: BoundaryMode[] = ['reflect', 'mirror', 'wrap', 'nearest', 'constant'];

/**
 * The source indices of a line of n pixels padded by `before` and `after`,
 * built from tiles by the mode's picture (a b c d): reflect alternates the
 * line and its reverse (… d c b a | a b c d | d c b a …), mirror repeats
 * a b c d c b (… c b | a b c d | c b a …), wrap repeats the line, nearest
 * repeats the edge pixels, constant is -1 (cval) outside.
 */
function paddedIndices(n: number, before: number, after: number, mode: BoundaryMode): number[] {
  const line = Array.from({ length: n }, (_, i) => i);
  let tile: number[];
  switch (mode) {
    case 'reflect': tile = [...line, ...[...line].reverse()]; break;
    case 'mirror': tile = n === 1 ? [0] : [...line, ...line.slice(1, -1).reverse()]; break;
    case 'wrap': tile = line; break;
    default: tile = []; // nearest, constant: no period
  }
  const out: number[] = [];
  for (let p = -before; p < n + after; p++) {
    if (p >= 0 && p < n) out.push(p);
    else if (mode === 'nearest') out.push(p < 0 ? 0 : n - 1);
    else if (mode === 'constant') out.push(-1);
    else {
      // Position p of the periodic extension: tiles laid end to end from 0 (and backwards from 0).
      const len = tile.length;
      out.push(tile[((p % len) + len) % len]);
    }
  }
  return out;
}

/**
 * scipy.ndimage.convolve by brute force: pad the image explicitly by the
 * mode's rule, then out[y, x] = Σ kernel[a, b] · padded[y + ⌊kh/2⌋ − a, x + ⌊kw/2⌋ − b].
 */
function bruteConvolve(img: ArrayLike<number>, h: number, w: number, k: ArrayLike<number>, kh: number, kw: number, mode: BoundaryMode, cval = 0): Float64Array {
  // Output y reads positions y + top − (kh − 1) .. y + top: pad kh − 1 − top before, top after.
  const top = kh >> 1, left = kw >> 1, before = kh - 1 - top, beforeCols = kw - 1 - left;
  const rows = paddedIndices(h, before, top, mode);
  const cols = paddedIndices(w, beforeCols, left, mode);
  const pw = cols.length;
  const padded = new Float64Array(rows.length * pw);
  rows.forEach((r, i) => cols.forEach((c, j) => { padded[i * pw + j] = r < 0 || c < 0 ? cval : img[r * w + c]; }));
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) s += k[a * kw + b] * padded[(y + top - a + before) * pw + (x + left - b + beforeCols)];
      }
      out[y * w + x] = s;
    }
  }
  return out;
}

/** Relative error of a convolution, scaled by Σ|k|·max|image| (the size of any one sum's terms). */
function convError(got: ArrayLike<number>, want: ArrayLike<number>, k: ArrayLike<number>, img: ArrayLike<number>, cval = 0): number {
  let sk = 0, si = Math.abs(cval);
  for (let i = 0; i < k.length; i++) sk += Math.abs(k[i]);
  for (let i = 0; i < img.length; i++) si = Math.max(si, Math.abs(img[i]));
  return maxRelativeError(got, want, new Array(want.length).fill(sk * si));
}

function pattern(length: number): number[] {
  return Array.from({ length }, (_, i) => (i * 37 % 11) / 4);
}

for (const be of backendsUnderTest()) {
  const tensor = (values: ArrayLike<number>, shape: number[], dtype: DType = 'float64') => Tensor.from(values, { dtype, shape, backend: be });

  test(`[${be}] convolve2d: scipy.ndimage.convolve's values for a 5×4 kernel in every mode`, (t) => {
    // scipy 1.10.1, python3:
    //   import numpy as np; from scipy import ndimage as ndi
    //   img = ((np.arange(20) * 37 % 11) / 4).reshape(4, 5)
    //   k = (np.arange(20) * 7 % 9 - 4.0).reshape(5, 4)   # even width: pins scipy's origin convention
    //   ndi.convolve(img, k, mode=mode, cval=1.5).ravel()
    const want: Record<BoundaryMode, number[]> = {
      reflect: [-18.25, -13.25, 18.75, -5.25, -9.0, 2.25, -23.0, -2.0, 9.75, -10.5, 28.25, -16.25, -20.0, 22.0, 7.25, 7.25, -1.5, -13.5, -1.75, 2.75],
      mirror: [-7.25, -10.0, 11.0, -5.75, 6.25, -5.0, -13.25, -6.0, -3.5, 3.0, 19.0, -19.5, -6.75, 15.0, -3.25, -8.75, -6.0, -4.25, -15.5, 4.75],
      wrap: [-10.75, -1.0, 11.75, -13.5, 23.0, 2.0, -21.25, 5.25, -3.5, -5.5, 16.5, -6.75, -16.0, 24.75, -7.5, -10.0, 5.25, -12.25, -7.25, 1.75],
      nearest: [-17.0, -23.0, 22.75, 4.25, -9.5, 2.25, -23.0, -2.0, 9.75, -6.75, 28.25, -16.25, -20.0, 22.0, 5.5, 16.0, 1.75, -26.75, -4.0, 7.0],
      constant: [-9.75, -14.25, 18.75, -7.5, -6.75, 1.75, -19.5, -1.0, 1.25, -7.75, 24.75, -14.25, -14.25, 21.75, -6.5, 1.75, 6.25, -16.0, -4.25, 3.5],
    };
    const img = tensor(pattern(20), [4, 5]);
    const k = tensor(Array.from({ length: 20 }, (_, i) => (i * 7 % 9) - 4), [5, 4]);
    for (const mode of MODES) {
      const out = convolve2d(img, k, { mode, cval: 1.5 });
      t.deepEqual(out.shape, [4, 5]);
      t.true(maxRelativeError(out.data, want[mode]) <= 1e-14, `${mode}: ${Array.from(out.data)}`);
    }
    t.deepEqual(Array.from(convolve2d(img, k).data), want.reflect, "the default mode is 'reflect'");
  });

  test(`[${be}] convolve2d: images with one row or one pixel, as scipy (mirror of one pixel repeats it)`, (t) => {
    // scipy 1.10.1: ndi.convolve(np.array([[1., 2., 4.]]), np.arange(1., 16.).reshape(3, 5), mode='mirror')
    const row = convolve2d(tensor([1, 2, 4], [1, 3]), tensor(Array.from({ length: 15 }, (_, i) => i + 1), [3, 5]), { mode: 'mirror' });
    t.deepEqual(Array.from(row.data), [312, 255, 240]);
    // [ndi.convolve(np.array([[3.]]), np.arange(1., 13.).reshape(3, 4), mode=m)[0, 0] for m in modes] = 234 (Σk·3), and 21 for constant
    const k34 = tensor(Array.from({ length: 12 }, (_, i) => i + 1), [3, 4]);
    for (const mode of MODES) t.is(convolve2d(tensor([3], [1, 1]), k34, { mode }).item(), mode === 'constant' ? 21 : 234, mode);
    // ndi.convolve(np.array([[3.]]), np.arange(1., 13.).reshape(3, 4), mode='constant', cval=2) = 163
    t.is(convolve2d(tensor([3], [1, 1]), k34, { mode: 'constant', cval: 2 }).item(), 163);
  });

  test(`[${be}] convolve2d: every mode and kernel shape matches a brute-force padded sum`, (t) => {
    const gen = new Generator(3);
    const imageShapes = [[4, 5], [1, 6], [5, 1], [1, 1], [2, 2], [7, 3]];
    const kernelShapes = [[1, 1], [3, 3], [2, 4], [5, 4], [7, 1], [1, 6], [9, 11], [16, 13]];
    for (const [h, w] of imageShapes) {
      const img = tensor(randomArray(gen, 'float64', h * w), [h, w]);
      for (const [kh, kw] of kernelShapes) {
        const k = tensor(randomArray(gen, 'float64', kh * kw), [kh, kw]);
        for (const mode of MODES) {
          const got = convolve2d(img, k, { mode, cval: -0.75 }).data;
          const want = bruteConvolve(img.data, h, w, k.data, kh, kw, mode, -0.75);
          const err = convError(got, want, k.data, img.data, -0.75);
          t.true(err <= 1e-14, `${h}×${w} image, ${kh}×${kw} kernel, ${mode}: error ${err}`);
        }
      }
    }
  });

  test(`[${be}] convolve2d: kernels far larger than a 14×14 image (131×131, 161×9, 9×161), where scipy 1.10's reflect fails`, (t) => {
    // scipy 1.10.1's ndi.convolve in 'reflect' mode differs from the padded sum by O(1) once a
    // kernel's half-size reaches 4·N (kernels of 113 px and more on 14 px; 41 on 5 px); the other modes are right.
    const gen = new Generator(121);
    const img = tensor(randomArray(gen, 'float64', 196, 0, 1), [14, 14]);
    for (const [kh, kw] of [[131, 131], [161, 9], [9, 161], [121, 120]]) {
      const k = tensor(randomArray(gen, 'float64', kh * kw), [kh, kw]);
      for (const mode of MODES) {
        const got = convolve2d(img, k, { mode }).data;
        const err = convError(got, bruteConvolve(img.data, 14, 14, k.data, kh, kw, mode), k.data, img.data);
        t.true(err <= 1e-14, `${kh}×${kw}, ${mode}: error ${err}`);
      }
    }
  });

  test(`[${be}] convolve2d: a batch [n, H, W] is each image alone; float32 stays float32`, (t) => {
    const gen = new Generator(8);
    const k = tensor(randomArray(gen, 'float64', 35), [5, 7]);
    for (const [h, w] of [[6, 9], [40, 30]]) { // 40×30 takes the direct path (more than 1024 pixels)
      const batch = tensor(randomArray(gen, 'float64', 3 * h * w), [3, h, w]);
      for (const mode of ['reflect', 'constant'] as const) {
        const out = convolve2d(batch, k, { mode, cval: 0.5 });
        t.deepEqual(out.shape, [3, h, w]);
        for (let i = 0; i < 3; i++) {
          const one = batch.sliceRows(i, i + 1).reshape(h, w);
          const single = convolve2d(one, k, { mode, cval: 0.5 }).data;
          t.true(maxRelativeError(out.data.subarray(i * h * w, (i + 1) * h * w), single) <= 1e-15, `${h}×${w} ${mode} image ${i}`);
          const err = convError(single, bruteConvolve(one.data, h, w, k.data, 5, 7, mode, 0.5), k.data, one.data, 0.5);
          t.true(err <= 1e-14, `${h}×${w} ${mode}: error ${err}`);
        }
      }
      const f32 = convolve2d(batch.astype('float32'), k);
      t.is(f32.dtype, 'float32');
      t.is(f32.backend, batch.backend);
      t.true(convError(f32.data, convolve2d(batch, k).data, k.data, batch.data) <= 1e-6);
    }
    t.deepEqual(convolve2d(tensor([], [0, 4, 4]), k).shape, [0, 4, 4]);
  });

  test(`[${be}] convolutionOperator: A · vec(image) is convolve2d (cval 0 for constant)`, (t) => {
    const gen = new Generator(11);
    const img = tensor(randomArray(gen, 'float64', 30), [5, 6]);
    const k = tensor(randomArray(gen, 'float64', 12 * 3), [12, 3]);
    for (const mode of MODES) {
      const A = convolutionOperator(5, 6, k, { mode });
      t.deepEqual(A.shape, [30, 30]);
      t.is(A.dtype, 'float64');
      const viaA = A.matmul(img.reshape(30)).data;
      t.true(maxRelativeError(viaA, convolve2d(img, k, { mode }).data) <= 1e-14, mode);
    }
    // Row y·W + x holds the weights output (y, x) gives each input pixel: a 1×1 kernel is c·I.
    const I = convolutionOperator(2, 3, tensor([2], [1, 1]));
    t.deepEqual(Array.from(I.data), Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 2 : 0)));
  });
}

test('convolve2d and convolutionOperator: bad shapes are ShapeErrors, bad options RangeErrors', (t) => {
  const img = Tensor.zeros([4, 4]), k = Tensor.ones([3, 3]);
  const imageShapes = 'ml.convolve2d: image must have shape [H, W] or [n, H, W] with H, W >= 1, got';
  t.throws(() => convolve2d(Tensor.zeros([4]), k), { instanceOf: ShapeError, message: `${imageShapes} [4]` });
  t.throws(() => convolve2d(Tensor.zeros([1, 1, 4, 4]), k), { instanceOf: ShapeError, message: `${imageShapes} [1, 1, 4, 4]` });
  t.throws(() => convolve2d(Tensor.zeros([2, 0, 4]), k), { instanceOf: ShapeError, message: `${imageShapes} [2, 0, 4]` });
  t.throws(() => convolve2d(img, Tensor.ones([3])), { instanceOf: ShapeError, message: 'ml.convolve2d: kernel must be a non-empty matrix [kh, kw], got shape [3]' });
  t.throws(() => convolve2d(img, Tensor.ones([0, 3])), { instanceOf: ShapeError, message: 'ml.convolve2d: kernel must be a non-empty matrix [kh, kw], got shape [0, 3]' });
  t.throws(() => convolve2d(img, k, { mode: 'symmetric' as BoundaryMode }),
    { instanceOf: RangeError, message: `ml.convolve2d: mode must be one of 'reflect', 'constant', 'nearest', 'mirror', 'wrap', got "symmetric"` });
  t.throws(() => convolve2d(img, k, { mode: 'constant', cval: NaN }), { instanceOf: RangeError, message: 'ml.convolve2d: cval must be a finite number, got NaN' });
  t.throws(() => convolutionOperator(0, 4, k), { instanceOf: RangeError, message: 'ml.convolutionOperator: height must be a positive integer, got 0' });
  t.throws(() => convolutionOperator(4, 1.5, k), { instanceOf: RangeError, message: 'ml.convolutionOperator: width must be a positive integer, got 1.5' });
  t.throws(() => convolutionOperator(4, 4, Tensor.ones([2, 2, 2])), { instanceOf: ShapeError, message: /^ml\.convolutionOperator: kernel must be a non-empty matrix/ });
});
