import test from 'ava';
import { col2im, im2col } from '../../../src/backend/ts/im2col';
import { convOutputSize, type ConvGeometry, type FloatArray } from '../../../src/backend/backend';
import { DTYPES, assertClose, dotAll, mulberry32, randomArray } from './helpers';

/** The definition, entry by entry. */
function naiveIm2col(g: ConvGeometry, images: FloatArray): Float64Array {
  const { outH, outW } = convOutputSize(g);
  const rows = g.channels * g.kernelH * g.kernelW;
  const cols = new Float64Array(g.batch * rows * outH * outW);
  for (let b = 0; b < g.batch; b++) {
    for (let ch = 0; ch < g.channels; ch++) {
      for (let ky = 0; ky < g.kernelH; ky++) {
        for (let kx = 0; kx < g.kernelW; kx++) {
          const row = (ch * g.kernelH + ky) * g.kernelW + kx;
          for (let oy = 0; oy < outH; oy++) {
            for (let ox = 0; ox < outW; ox++) {
              const iy = oy * g.strideH - g.padH + ky, ix = ox * g.strideW - g.padW + kx;
              const inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
              cols[((b * rows + row) * outH + oy) * outW + ox] =
                inside ? images[((b * g.channels + ch) * g.height + iy) * g.width + ix] : 0;
            }
          }
        }
      }
    }
  }
  return cols;
}

function geometry(batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
                  strideH: number, strideW: number, padH: number, padW: number): ConvGeometry {
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW };
}

const GEOMETRIES: ConvGeometry[] = [
  geometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
  geometry(2, 3, 5, 7, 3, 3, 1, 1, 1, 1),
  geometry(1, 2, 8, 6, 3, 2, 2, 3, 0, 1),
  geometry(3, 1, 4, 4, 2, 2, 2, 2, 0, 0),
  geometry(2, 2, 5, 5, 5, 5, 1, 1, 2, 2),
  geometry(1, 1, 3, 3, 2, 2, 1, 1, 3, 3), // padding wider than the kernel: whole zero rows of columns
  geometry(1, 4, 7, 9, 1, 1, 2, 2, 0, 0),
];

const describeG = (g: ConvGeometry) => JSON.stringify(g);

for (const dt of DTYPES) {
  test(`im2col ${dt.name}: the definition, padding reads as 0`, (t) => {
    const rng = mulberry32(41);
    for (const g of GEOMETRIES) {
      const { outH, outW } = convOutputSize(g);
      const images = randomArray(rng, dt.Ctor, g.batch * g.channels * g.height * g.width);
      const cols = new dt.Ctor(g.batch * g.channels * g.kernelH * g.kernelW * outH * outW).fill(NaN);
      im2col(g, images, cols);
      t.deepEqual(Array.from(cols), Array.from(naiveIm2col(g, images)), describeG(g));
    }
  });

  test(`col2im ${dt.name}: the adjoint of im2col, overwriting images`, (t) => {
    const rng = mulberry32(42);
    for (const g of GEOMETRIES) {
      const { outH, outW } = convOutputSize(g);
      const imageLength = g.batch * g.channels * g.height * g.width;
      const colsLength = g.batch * g.channels * g.kernelH * g.kernelW * outH * outW;
      const x = randomArray(rng, dt.Ctor, imageLength), y = randomArray(rng, dt.Ctor, colsLength);
      const colsOfX = new dt.Ctor(colsLength), imagesOfY = new dt.Ctor(imageLength).fill(NaN);
      im2col(g, x, colsOfX);
      col2im(g, y, imagesOfY);
      const lhs = dotAll(colsOfX, y), rhs = dotAll(x, imagesOfY);
      t.true(Math.abs(lhs - rhs) <= dt.tol * 10 * Math.max(1, Math.abs(lhs)), `${describeG(g)}: ${lhs} vs ${rhs}`);

      // And entry by entry: images[p] = Σ of the column entries that im2col copies from pixel p.
      const expected = new Float64Array(imageLength);
      for (let p = 0; p < imageLength; p++) {
        const unit = new Float64Array(imageLength);
        unit[p] = 1;
        expected[p] = dotAll(naiveIm2col(g, unit), y);
      }
      assertClose(t, imagesOfY, expected, dt.tol, describeG(g));
    }
  });
}

test('im2col / col2im: argument checks', (t) => {
  const g = geometry(1, 1, 4, 4, 3, 3, 1, 1, 0, 0); // 2×2 output, 9 rows
  const f = (n: number) => new Float64Array(n);
  t.notThrows(() => im2col(g, f(16), f(36)));
  t.throws(() => im2col(g, f(15), f(36)), { instanceOf: RangeError, message: /im2col: images has 15 elements, needs 16/ });
  t.throws(() => im2col(g, f(16), f(35)), { instanceOf: RangeError, message: /cols has 35 elements, needs 36/ });
  t.throws(() => col2im(g, f(36), new Float32Array(16)), { instanceOf: TypeError });
  t.throws(() => im2col({ ...g, strideH: 0 }, f(16), f(36)), { instanceOf: RangeError, message: /strideH must be at least 1/ });
  t.throws(() => im2col({ ...g, kernelW: 5 }, f(16), f(36)), { instanceOf: RangeError, message: /does not fit/ });
  t.throws(() => col2im({ ...g, padW: -1 }, f(36), f(16)), { instanceOf: RangeError, message: /padW/ });
  t.throws(() => col2im({ ...g, batch: 1.5 }, f(36), f(16)), { instanceOf: RangeError, message: /batch/ });
  const anyIm2col = im2col as unknown as (...args: unknown[]) => void;
  t.throws(() => anyIm2col(null, f(16), f(36)), { instanceOf: TypeError });
  t.throws(() => anyIm2col({ ...g, height: '4' }, f(16), f(36)), { instanceOf: TypeError });
});
