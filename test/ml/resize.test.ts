/** ml.resize: OpenCV's bilinear INTER_LINEAR resize, on every host backend. */
import test from 'ava';
import type { DType } from '../../src/backend/backend';
import { ShapeError } from '../../src/errors';
import { resize } from '../../src/ml/resize';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { maxRelativeError, randomArray } from '../helpers/random';

/**
 * OpenCV's INTER_LINEAR written per output pixel, the way its documentation
 * states it: source coordinate (d + 0.5)·in/out − 0.5 clamped to
 * [0, in − 1], then the usual bilinear blend of the four neighbours.
 */
function handResize(src: ArrayLike<number>, inH: number, inW: number, outH: number, outW: number): Float64Array {
  const out = new Float64Array(outH * outW);
  const coord = (d: number, nIn: number, nOut: number) => {
    const s = Math.min(Math.max((d + 0.5) * nIn / nOut - 0.5, 0), nIn - 1);
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, nIn - 1), t: s - lo };
  };
  for (let y = 0; y < outH; y++) {
    const r = coord(y, inH, outH);
    for (let x = 0; x < outW; x++) {
      const c = coord(x, inW, outW);
      const at = (i: number, j: number) => src[i * inW + j];
      const top = at(r.lo, c.lo) * (1 - c.t) + at(r.lo, c.hi) * c.t;
      const bottom = at(r.hi, c.lo) * (1 - c.t) + at(r.hi, c.hi) * c.t;
      out[y * outW + x] = top * (1 - r.t) + bottom * r.t;
    }
  }
  return out;
}

/** The test image of the fixtures: ((i·37) mod 11)/4 in row-major order (exact in float32). */
function pattern(h: number, w: number): number[] {
  return Array.from({ length: h * w }, (_, i) => (i * 37 % 11) / 4);
}

for (const be of backendsUnderTest()) {
  const tensor = (values: ArrayLike<number>, shape: number[], dtype: DType = 'float64') => Tensor.from(values, { dtype, shape, backend: be });

  test(`[${be}] resize: an exact 2× shrink is the 2×2 block mean, exactly, for every layout and dtype`, (t) => {
    const gen = new Generator(17);
    for (const dtype of ['float64', 'float32'] as const) {
      for (const shape of [[28, 28], [3, 28, 28], [2, 3, 6, 10]]) {
        const [H, W] = shape.slice(-2);
        const planes = shape.slice(0, -2).reduce((p, d) => p * d, 1);
        const x = tensor(randomArray(gen, dtype, planes * H * W, 0, 1), shape, dtype);
        const y = resize(x, H / 2, W / 2);
        t.deepEqual(y.shape, [...shape.slice(0, -2), H / 2, W / 2]);
        t.is(y.dtype, dtype);
        t.is(y.backend, x.backend);
        const src = x.data, got = y.data;
        let mismatches = 0;
        for (let p = 0; p < planes; p++) {
          for (let i = 0; i < H / 2; i++) {
            for (let j = 0; j < W / 2; j++) {
              const at = (r: number, c: number) => src[p * H * W + r * W + c];
              const mean = ((at(2 * i, 2 * j) + at(2 * i, 2 * j + 1)) + (at(2 * i + 1, 2 * j) + at(2 * i + 1, 2 * j + 1))) / 4;
              const want = dtype === 'float32' ? Math.fround(mean) : mean;
              if (got[p * (H / 2) * (W / 2) + i * (W / 2) + j] !== want) mismatches++;
            }
          }
        }
        t.is(mismatches, 0, `${dtype} ${JSON.stringify(shape)}`);
      }
    }
  });

  test(`[${be}] resize: other sizes, upsampling and 1-pixel axes follow OpenCV's formula pixel by pixel`, (t) => {
    const gen = new Generator(5);
    const cases: [number, number, number, number][] = [
      [5, 7, 3, 4], [3, 3, 7, 5], [1, 6, 1, 4], [1, 5, 3, 9], [6, 1, 4, 1], [28, 28, 13, 17],
      [10, 9, 3, 3], [2, 3, 5, 4], [7, 7, 7, 7], [3, 8, 1, 1], [1, 1, 4, 3], [4, 4, 12, 2],
    ];
    for (const [h, w, H, W] of cases) {
      const x = tensor(randomArray(gen, 'float64', 2 * h * w, -1, 1), [2, h, w]);
      const y = resize(x, H, W);
      t.deepEqual(y.shape, [2, H, W]);
      for (let p = 0; p < 2; p++) {
        const want = handResize(x.data.subarray(p * h * w, (p + 1) * h * w), h, w, H, W);
        const err = maxRelativeError(y.data.subarray(p * H * W, (p + 1) * H * W), want);
        t.true(err <= 1e-14, `${h}×${w} -> ${H}×${W}: error ${err}`);
      }
    }
    // The same size is the identity; a 1×1 image becomes a constant image.
    const same = tensor(randomArray(gen, 'float64', 35), [5, 7]);
    t.deepEqual(Array.from(resize(same, 5, 7).data), Array.from(same.data));
    t.deepEqual(Array.from(resize(tensor([2.5], [1, 1]), 3, 4).data), new Array(12).fill(2.5));
  });

  test(`[${be}] resize: agrees with cv2.resize(INTER_LINEAR) on float32 images`, (t) => {
    // OpenCV 4.6.0, python3:
    //   import numpy as np, cv2
    //   img = lambda h, w: ((np.arange(h * w) * 37 % 11) / 4).astype(np.float32).reshape(h, w)
    //   cv2.resize(img(h, w), (W, H), interpolation=cv2.INTER_LINEAR).ravel()
    // OpenCV rounds its weights to float32, so it differs in the last bit or two.
    const fixtures: [number, number, number, number, number[]][] = [
      [5, 7, 3, 4, [0.875, 1.4791665077209473, 0.8229166269302368, 1.3125, 0.625, 2.03125, 1.375, 1.40625,
        0.9479166269302368, 1.8958333730697632, 1.2395834922790527, 1.0416666269302368]],
      [3, 3, 7, 5, [0.0, 0.4000000059604645, 1.0, 1.600000023841858, 2.0, 0.0357142873108387, 0.4357143044471741,
        1.0357142686843872, 1.6357142925262451, 2.0357143878936768, 0.1428571492433548, 0.5428571701049805,
        1.1428570747375488, 1.7428572177886963, 2.142857074737549, 0.25, 0.6499999761581421, 1.25, 1.850000023841858,
        2.25, 0.3571428656578064, 0.7571429014205933, 1.3571429252624512, 1.9571428298950195, 2.357142925262451,
        0.4642857015132904, 0.8642857670783997, 1.4642856121063232, 2.0642857551574707, 2.4642858505249023, 0.5,
        0.9000000357627869, 1.5, 2.0999999046325684, 2.5]],
      [1, 6, 1, 4, [0.25, 1.75, 0.5, 2.0]],
      [2, 9, 5, 2, [1.75, 0.75, 1.618749976158142, 0.8249999284744263, 1.09375, 1.125, 0.5687500238418579,
        1.4249999523162842, 0.4375, 1.5]],
    ];
    for (const [h, w, H, W, want] of fixtures) {
      const y = resize(tensor(pattern(h, w), [h, w], 'float32'), H, W);
      t.deepEqual(y.shape, [H, W]);
      t.is(y.dtype, 'float32');
      const err = maxRelativeError(y.data, want);
      t.true(err <= 3e-7, `${h}×${w} -> ${H}×${W}: error ${err}`);
    }
  });
}

test('resize: bad sizes are RangeErrors and bad shapes ShapeErrors, one line naming the argument', (t) => {
  const x = Tensor.zeros([2, 4, 4]);
  t.throws(() => resize(x, 0, 2), { instanceOf: RangeError, message: 'ml.resize: height must be a positive integer, got 0' });
  t.throws(() => resize(x, 2, 2.5), { instanceOf: RangeError, message: 'ml.resize: width must be a positive integer, got 2.5' });
  t.throws(() => resize(x, NaN, 2), { instanceOf: RangeError, message: 'ml.resize: height must be a positive integer, got NaN' });
  t.throws(() => resize(x, 2, -3), { instanceOf: RangeError, message: /width must be a positive integer, got -3/ });
  const shapes = 'ml.resize: images must have shape [H, W], [n, H, W] or [n, C, H, W] with H, W >= 1, got';
  t.throws(() => resize(Tensor.zeros([5]), 2, 2), { instanceOf: ShapeError, message: `${shapes} [5]` });
  t.throws(() => resize(Tensor.zeros([1, 1, 1, 2, 2]), 2, 2), { instanceOf: ShapeError, message: `${shapes} [1, 1, 1, 2, 2]` });
  t.throws(() => resize(Tensor.zeros([3, 0]), 2, 2), { instanceOf: ShapeError, message: `${shapes} [3, 0]` });
  t.throws(() => resize(Tensor.zeros([2, 0, 4]), 2, 2), { instanceOf: ShapeError, message: `${shapes} [2, 0, 4]` });
  // An empty batch is fine.
  t.deepEqual(resize(Tensor.zeros([0, 4, 4]), 2, 2).shape, [0, 2, 2]);
});

