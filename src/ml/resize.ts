/**
 * Bilinear image resize, as OpenCV's cv2.resize(img, (width, height),
 * interpolation=cv2.INTER_LINEAR) on float images.
 *
 *     import { ml } from 'gradnode';
 *     const small = ml.resize(images, 14, 14); // [n, 28, 28] -> [n, 14, 14]
 */
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

/**
 * Per output index d along one axis: the two input indices it blends and the
 * weight of the second. OpenCV's INTER_LINEAR: half-pixel centres, source
 * position s = (d + 0.5)·(nIn/nOut) − 0.5, weights 1 − frac(s) and frac(s) on
 * ⌊s⌋ and ⌊s⌋ + 1; past either edge the edge pixel alone (weight 1).
 */
function axisTable(nIn: number, nOut: number): { i0: Int32Array; i1: Int32Array; t: Float64Array } {
  const scale = nIn / nOut;
  const i0 = new Int32Array(nOut), i1 = new Int32Array(nOut), t = new Float64Array(nOut);
  for (let d = 0; d < nOut; d++) {
    const s = (d + 0.5) * scale - 0.5;
    let lo = Math.floor(s), frac = s - lo;
    if (lo < 0) { lo = 0; frac = 0; }
    if (lo >= nIn - 1) { lo = nIn - 1; frac = 0; }
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, nIn - 1);
    t[d] = frac;
  }
  return { i0, i1, t };
}

/**
 * Resizes the last two axes (height, width) of images [H, W], [n, H, W] or
 * [n, C, H, W] to height×width by bilinear interpolation, exactly OpenCV's
 * INTER_LINEAR formula (see axisTable), shrinking and enlarging alike: an
 * exact 2× shrink is the 2×2 block mean. Rows are interpolated first, then
 * columns, in float64 (OpenCV rounds its weights to float32, so its results
 * differ by about 1e-7 relative). The result has the input's dtype and
 * backend; it is not recorded for autograd.
 */
export function resize(images: Tensor, height: number, width: number): Tensor {
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`ml.resize: ${name} must be a positive integer, got ${v}`);
  }
  const s = images.shape;
  const nd = s.length;
  if (nd < 2 || nd > 4 || s[nd - 1] < 1 || s[nd - 2] < 1) {
    throw new ShapeError(`ml.resize: images must have shape [H, W], [n, H, W] or [n, C, H, W] with H, W >= 1, got ${shapeString(s)}`);
  }
  const inH = s[nd - 2], inW = s[nd - 1];
  const planes = s.slice(0, -2).reduce((p, d) => p * d, 1);
  const rows = axisTable(inH, height), cols = axisTable(inW, width);
  const src = images.backend.toHost(images.storage);
  const out = images.dtype === 'float32' ? new Float32Array(planes * height * width) : new Float64Array(planes * height * width);
  const tmp = new Float64Array(inH * width); // one plane interpolated along x
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let r = 0; r < inH; r++) {
      const row = base + r * inW;
      for (let x = 0; x < width; x++) {
        const t = cols.t[x];
        tmp[r * width + x] = src[row + cols.i0[x]] * (1 - t) + src[row + cols.i1[x]] * t;
      }
    }
    const dst = p * height * width;
    for (let y = 0; y < height; y++) {
      const t = rows.t[y], r0 = rows.i0[y] * width, r1 = rows.i1[y] * width;
      for (let x = 0; x < width; x++) out[dst + y * width + x] = tmp[r0 + x] * (1 - t) + tmp[r1 + x] * t;
    }
  }
  return new Tensor(out, [...s.slice(0, -2), height, width], images.backend);
}
