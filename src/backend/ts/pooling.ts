/**
 * 2-D max pooling over NCHW batches (no padding): out[b, c, oy, ox] is the
 * largest x[b, c, oy·strideH + ky, ox·strideW + kx] over the kernelH×kernelW
 * window, and argmax holds the flat index into x of the value chosen: the
 * first maximum in row-major window order, or the first NaN (NaN wins, as in
 * PyTorch). The backward pass routes each output gradient to its argmax
 * (scatterAdd into zeros).
 */
import type { ConvGeometry, FloatArray } from '../backend';
import { checkFloatArrays, checkInt32Array, checkLength } from '../check';
import { ShapeError } from '../../errors';
import { checkGeometry, describeGeometry } from './im2col';

export function maxPool2d(g: ConvGeometry, x: FloatArray, out: FloatArray, argmax: Int32Array): void {
  const K = 'maxPool2d';
  const l = checkGeometry(K, g);
  if (g.padH !== 0 || g.padW !== 0) throw new ShapeError(`${K}: padding must be 0, got ${g.padH}×${g.padW}`);
  checkFloatArrays(K, { x, out });
  checkInt32Array(K, 'argmax', argmax);
  const planes = g.batch * g.channels;
  const outSize = planes * l.outH * l.outW;
  checkLength(K, 'x', x, planes * g.height * g.width, () => describeGeometry(g, l));
  checkLength(K, 'out', out, outSize, () => describeGeometry(g, l));
  checkLength(K, 'argmax', argmax, outSize, () => describeGeometry(g, l));
  if (x.length >= 2 ** 31) throw new RangeError(`${K}: x has ${x.length} elements; argmax indices need fewer than 2^31`);

  const { height: H, width: W, kernelH: KH, kernelW: KW, strideH: SH, strideW: SW } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oy = 0; oy < l.outH; oy++) {
      for (let ox = 0; ox < l.outW; ox++, o++) {
        let best = plane + oy * SH * W + ox * SW;
        let value = x[best];
        for (let ky = 0; ky < KH && value === value; ky++) {
          const row = plane + (oy * SH + ky) * W + ox * SW;
          for (let kx = 0; kx < KW; kx++) {
            const v = x[row + kx];
            if (v > value || v !== v) {
              value = v;
              best = row + kx;
              if (v !== v) break;
            }
          }
        }
        out[o] = value;
        argmax[o] = best;
      }
    }
  }
}
