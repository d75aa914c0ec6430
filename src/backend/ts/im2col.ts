/**
 * im2col / col2im for 2-D convolution over NCHW batches.
 *
 * For each image b, cols holds a (channels·kernelH·kernelW) × (outH·outW)
 * matrix: row (ch·kernelH + ky)·kernelW + kx, column oy·outW + ox, value
 * images[b, ch, oy·strideH - padH + ky, ox·strideW - padW + kx], or 0 where
 * that pixel lies in the padding. The images of a batch follow each other.
 *
 * col2im is the adjoint: images is overwritten with zeros, then every column
 * entry is added at its pixel (entries in the padding are dropped). The sums
 * are accumulated in doubles, one image at a time, and rounded once.
 *
 * Geometry: sizes are non-negative safe integers, kernel and stride sizes at
 * least 1, and the kernel must fit in the padded input (outH, outW >= 1).
 */
import { convOutputSize, type ConvGeometry, type FloatArray } from '../backend';
import { checkFloatArrays, checkLength, checkPositiveSize, checkSize, describe } from '../check';
import { ShapeError } from '../../errors';

export interface Layout { outH: number; outW: number; rows: number; imageSize: number; colsSize: number }

export function checkGeometry(kernel: string, g: ConvGeometry): Layout {
  if (typeof g !== 'object' || g === null) {
    throw new TypeError(`${kernel}: g must be a ConvGeometry object, got ${describe(g)}`);
  }
  checkSize(kernel, 'g.batch', g.batch);
  checkSize(kernel, 'g.channels', g.channels);
  checkSize(kernel, 'g.height', g.height);
  checkSize(kernel, 'g.width', g.width);
  checkPositiveSize(kernel, 'g.kernelH', g.kernelH);
  checkPositiveSize(kernel, 'g.kernelW', g.kernelW);
  checkPositiveSize(kernel, 'g.strideH', g.strideH);
  checkPositiveSize(kernel, 'g.strideW', g.strideW);
  checkSize(kernel, 'g.padH', g.padH);
  checkSize(kernel, 'g.padW', g.padW);
  if (g.kernelH > g.height + 2 * g.padH || g.kernelW > g.width + 2 * g.padW) {
    throw new ShapeError(`${kernel}: the ${g.kernelH}×${g.kernelW} kernel does not fit in the ` +
                         `${g.height}×${g.width} input padded by ${g.padH}×${g.padW}`);
  }
  const { outH, outW } = convOutputSize(g);
  const rows = g.channels * g.kernelH * g.kernelW;
  return {
    outH, outW, rows,
    imageSize: g.channels * g.height * g.width,
    colsSize: rows * outH * outW,
  };
}

export function describeGeometry(g: ConvGeometry, l: Layout): string {
  return `batch=${g.batch}, channels=${g.channels}, ${g.height}×${g.width} input, ` +
         `${g.kernelH}×${g.kernelW} kernel, ${l.outH}×${l.outW} output`;
}

export function im2col(g: ConvGeometry, images: FloatArray, cols: FloatArray): void {
  const K = 'im2col';
  const l = checkGeometry(K, g);
  checkFloatArrays(K, { images, cols });
  checkLength(K, 'images', images, g.batch * l.imageSize, describeGeometry(g, l));
  checkLength(K, 'cols', cols, g.batch * l.colsSize, describeGeometry(g, l));

  const { height: H, width: W, kernelH: KH, kernelW: KW, strideH: SH, strideW: SW, padH: PH, padW: PW } = g;
  const { outH, outW } = l;
  for (let b = 0; b < g.batch; b++) {
    for (let ch = 0; ch < g.channels; ch++) {
      const plane = (b * g.channels + ch) * H * W;
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const row = (ch * KH + ky) * KW + kx;
          let dst = b * l.colsSize + row * outH * outW;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * SH - PH + ky;
            if (iy < 0 || iy >= H) {
              cols.fill(0, dst, dst + outW);
              dst += outW;
              continue;
            }
            const src = plane + iy * W;
            for (let ox = 0; ox < outW; ox++, dst++) {
              const ix = ox * SW - PW + kx;
              cols[dst] = ix >= 0 && ix < W ? images[src + ix] : 0;
            }
          }
        }
      }
    }
  }
}

export function col2im(g: ConvGeometry, cols: FloatArray, images: FloatArray): void {
  const K = 'col2im';
  const l = checkGeometry(K, g);
  checkFloatArrays(K, { cols, images });
  checkLength(K, 'cols', cols, g.batch * l.colsSize, describeGeometry(g, l));
  checkLength(K, 'images', images, g.batch * l.imageSize, describeGeometry(g, l));

  const { height: H, width: W, kernelH: KH, kernelW: KW, strideH: SH, strideW: SW, padH: PH, padW: PW } = g;
  const { outH, outW } = l;
  const sums = new Float64Array(l.imageSize); // one image, accumulated in doubles
  for (let b = 0; b < g.batch; b++) {
    sums.fill(0);
    for (let ch = 0; ch < g.channels; ch++) {
      const plane = ch * H * W;
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const row = (ch * KH + ky) * KW + kx;
          let src = b * l.colsSize + row * outH * outW;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * SH - PH + ky;
            if (iy < 0 || iy >= H) {
              src += outW;
              continue;
            }
            const dst = plane + iy * W;
            for (let ox = 0; ox < outW; ox++, src++) {
              const ix = ox * SW - PW + kx;
              if (ix >= 0 && ix < W) sums[dst + ix] += cols[src];
            }
          }
        }
      }
    }
    const base = b * l.imageSize;
    for (let p = 0; p < l.imageSize; p++) images[base + p] = sums[p];
  }
}
