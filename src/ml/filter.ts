/**
 * 2-D convolution with scipy.ndimage's boundary modes, for kernels of any
 * size, kernels far larger than the image included (where scipy 1.10's
 * 'reflect' is wrong: from a half-width of 4·N on, see the tests).
 *
 *     import { ml } from 'gradnode';
 *     const smooth = ml.convolve2d(images, kernel, { mode: 'reflect' }); // images [H, W] or [n, H, W]
 *
 * How: every mode but 'constant' sends an out-of-range position through a
 * periodic map (reflect: period 2N, mirror: 2N−2, wrap: N) or clamps it
 * (nearest), so kernel taps whose offsets agree modulo the period read the
 * same pixel for every output position. The kernel is first folded into
 * those bins (at most 2N+1 per axis, whatever its size); the convolution of
 * an H×W image is then a small (H·W)×(H·W) matrix, built once and applied
 * to a whole batch with one matmul (native GEMM on the cpu backend). Large
 * images (H·W > 1024) are convolved directly with the folded kernel instead.
 * Results are constants for autograd (not recorded).
 */
import { noGrad } from '../autograd/mode';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

/**
 * How positions outside the image are filled, as scipy.ndimage (input
 * a b c d):
 * - 'reflect': d c b a | a b c d | d c b a (the edge pixel repeated; period 2N)
 * - 'mirror': d c b | a b c d | c b a (about the edge pixel; period 2N−2; N = 1 repeats the pixel)
 * - 'wrap': a b c d | a b c d | a b c d (period N)
 * - 'nearest': a a a a | a b c d | d d d d
 * - 'constant': k k k k | a b c d | k k k k with k = cval
 */
export type BoundaryMode = 'reflect' | 'constant' | 'nearest' | 'mirror' | 'wrap';

const MODES: readonly BoundaryMode[] = ['reflect', 'constant', 'nearest', 'mirror', 'wrap'];

export interface ConvolveOptions {
  /** The boundary rule (default 'reflect', as scipy.ndimage.convolve). */
  mode?: BoundaryMode;
  /** The fill value of mode 'constant' (default 0). */
  cval?: number;
}

/** A kernel as row-major float64 values, kh rows by kw columns. */
export interface KernelData { data: Float64Array; kh: number; kw: number }

/** @internal Validates a boundary mode option (default 'reflect'). */
export function checkMode(fn: string, mode: unknown): BoundaryMode {
  if (mode === undefined) return 'reflect';
  if (!MODES.includes(mode as BoundaryMode)) {
    throw new RangeError(`${fn}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return mode as BoundaryMode;
}

/** @internal Validates cval (default 0). */
export function checkCval(fn: string, cval: unknown): number {
  if (cval === undefined) return 0;
  if (typeof cval !== 'number' || !Number.isFinite(cval)) throw new RangeError(`${fn}: cval must be a finite number, got ${String(cval)}`);
  return cval;
}

/** @internal Images as [n, H, W] (a single [H, W] image is n = 1), with H, W >= 1. */
export function imageStack(fn: string, image: Tensor): [number, number, number] {
  const s = image.shape;
  if ((s.length !== 2 && s.length !== 3) || s[s.length - 1] < 1 || s[s.length - 2] < 1) {
    throw new ShapeError(`${fn}: image must have shape [H, W] or [n, H, W] with H, W >= 1, got ${shapeString(s)}`);
  }
  return s.length === 2 ? [1, s[0], s[1]] : [s[0], s[1], s[2]];
}

function mod(i: number, p: number): number {
  return ((i % p) + p) % p;
}

/** The pixel read at position i (any integer) of an axis of length n, or -1 for 'constant' outside it. */
function sourceIndex(i: number, n: number, mode: BoundaryMode): number {
  switch (mode) {
    case 'reflect': { const m = mod(i, 2 * n); return m < n ? m : 2 * n - 1 - m; }
    case 'mirror': { if (n === 1) return 0; const m = mod(i, 2 * n - 2); return m < n ? m : 2 * n - 2 - m; }
    case 'wrap': return mod(i, n);
    case 'nearest': return Math.min(Math.max(i, 0), n - 1);
    case 'constant': return i >= 0 && i < n ? i : -1;
  }
}

/**
 * One axis of the folded kernel. scipy's convolve has output y read
 * position y + ⌊k/2⌋ − a for tap a (the kernel flipped and centred at ⌊k/2⌋,
 * for even k too). Offsets d = ⌊k/2⌋ − a that are congruent modulo the
 * mode's period read the same pixel for every y, and so do all d <= −n and
 * all d >= n under nearest (clamped) and constant (outside): each such class
 * is one bin. `source[y·bins + b]` is the pixel bin b reads for output y.
 */
function foldAxis(n: number, k: number, mode: BoundaryMode): { bins: number; binOf: Int32Array; source: Int32Array } {
  const canonical = (d: number): number => {
    switch (mode) {
      case 'reflect': return mod(d, 2 * n);
      case 'mirror': return n === 1 ? 0 : mod(d, 2 * n - 2);
      case 'wrap': return mod(d, n);
      default: return Math.min(Math.max(d, -n), n); // nearest, constant
    }
  };
  const binByOffset = new Map<number, number>();
  const binOf = new Int32Array(k);
  for (let a = 0; a < k; a++) {
    const d = canonical((k >> 1) - a);
    let b = binByOffset.get(d);
    if (b === undefined) binByOffset.set(d, b = binByOffset.size);
    binOf[a] = b;
  }
  const bins = binByOffset.size;
  const source = new Int32Array(n * bins);
  for (const [d, b] of binByOffset) {
    for (let y = 0; y < n; y++) source[y * bins + b] = sourceIndex(y + d, n, mode);
  }
  return { bins, binOf, source };
}

/** The kernel folded along both axes, with the per-axis bin tables. */
function fold(h: number, w: number, kernel: KernelData, mode: BoundaryMode) {
  const rows = foldAxis(h, kernel.kh, mode);
  const cols = foldAxis(w, kernel.kw, mode);
  const folded = new Float64Array(rows.bins * cols.bins);
  for (let a = 0; a < kernel.kh; a++) {
    const base = rows.binOf[a] * cols.bins;
    for (let b = 0; b < kernel.kw; b++) folded[base + cols.binOf[b]] += kernel.data[a * kernel.kw + b];
  }
  return { rows, cols, folded };
}

/**
 * @internal The convolution of an h×w image as a matrix: writes A
 * [h·w, h·w] (row = output pixel, column = input pixel, row-major
 * flattening) into `matrix` (zeroed, length h²w²), and into `outside` [h·w]
 * the kernel weight that falls outside the image (nonzero only for
 * 'constant', whose result is A·x + cval·outside).
 */
export function operatorInto(h: number, w: number, kernel: KernelData, mode: BoundaryMode, matrix: Float64Array, outside: Float64Array): void {
  const { rows, cols, folded } = fold(h, w, kernel, mode);
  const hw = h * w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, row = p * hw;
      for (let br = 0; br < rows.bins; br++) {
        const r = rows.source[y * rows.bins + br];
        for (let bc = 0; bc < cols.bins; bc++) {
          const c = cols.source[x * cols.bins + bc];
          const f = folded[br * cols.bins + bc];
          if (r < 0 || c < 0) outside[p] += f;
          else matrix[row + r * w + c] += f;
        }
      }
    }
  }
}

/** Direct convolution of n host images with the folded kernel, into out[i·stride + offset + p]. */
function convolveDirect(
  n: number, h: number, w: number, images: ArrayLike<number>, kernel: KernelData, mode: BoundaryMode, cval: number,
  out: Float64Array, stride: number, offset: number,
): void {
  const { rows, cols, folded } = fold(h, w, kernel, mode);
  const hw = h * w;
  for (let i = 0; i < n; i++) {
    const img = i * hw, dst = i * stride + offset;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let br = 0; br < rows.bins; br++) {
          const r = rows.source[y * rows.bins + br];
          for (let bc = 0; bc < cols.bins; bc++) {
            const c = cols.source[x * cols.bins + bc];
            s += folded[br * cols.bins + bc] * (r < 0 || c < 0 ? cval : images[img + r * w + c]);
          }
        }
        out[dst + y * w + x] = s;
      }
    }
  }
}

/** Images up to this many pixels are convolved through the operator matrix (at most 8 MiB per kernel in float64). */
const OPERATOR_MAX_PIXELS = 1024;
/** Kernels' operators are stacked into matrices of at most this many entries (64 MiB in float64). */
const OPERATOR_GROUP_ENTRIES = 1 << 23;

/**
 * @internal A function that convolves images [n, h, w] with K kernels at
 * once, giving [n, K·h·w] kernel-major (all pixels of kernel 0, then kernel
 * 1, ...), with the dtype and backend of `like`. The operator matrix (small
 * images) is built once here and reused on every call.
 */
export function convolver(
  h: number, w: number, kernels: readonly KernelData[], mode: BoundaryMode, cval: number, like: Tensor,
): (images: Tensor, n: number) => Tensor {
  const hw = h * w, K = kernels.length;
  const be = like.backend;
  const cast = (v: Float64Array) => (like.dtype === 'float32' ? Float32Array.from(v) : v);
  if (hw > OPERATOR_MAX_PIXELS) {
    return (images, n) => {
      const out = new Float64Array(n * K * hw);
      const host = be.toHost(images.storage);
      kernels.forEach((k, j) => convolveDirect(n, h, w, host, k, mode, cval, out, K * hw, j * hw));
      return new Tensor(cast(out), [n, K * hw], be);
    };
  }
  // The operators stacked as the rows of [k·hw, hw] matrices A (a group of k
  // kernels each, at most OPERATOR_GROUP_ENTRIES entries): responses = X Aᵀ.
  const perGroup = Math.max(1, Math.floor(OPERATOR_GROUP_ENTRIES / (hw * hw)));
  const groups: { A: Tensor; bias: Tensor | null }[] = [];
  for (let first = 0; first < K; first += perGroup) {
    const group = kernels.slice(first, first + perGroup), k = group.length;
    const matrix = new Float64Array(k * hw * hw);
    const outside = new Float64Array(k * hw);
    group.forEach((kernel, j) => operatorInto(h, w, kernel, mode, matrix.subarray(j * hw * hw, (j + 1) * hw * hw), outside.subarray(j * hw, (j + 1) * hw)));
    groups.push({
      A: new Tensor(cast(matrix), [k * hw, hw], be),
      bias: mode === 'constant' && cval !== 0 ? new Tensor(cast(outside.map((v) => v * cval)), [k * hw], be) : null,
    });
  }
  return (images, n) => noGrad(() => {
    if (n === 0) return new Tensor(be.alloc(like.dtype, 0), [0, K * hw], be);
    const X = images.reshape(n, hw);
    const parts = groups.map(({ A, bias }) => {
      const r = X.matmul(A, { transposeB: true });
      return bias === null ? r : r.add(bias);
    });
    return parts.length === 1 ? parts[0] : Tensor.concat(parts, 1);
  });
}

/** @internal A kernel tensor as host float64 values, validated. */
export function kernelData(fn: string, kernel: Tensor): KernelData {
  if (kernel.ndim !== 2 || kernel.shape[0] < 1 || kernel.shape[1] < 1) {
    throw new ShapeError(`${fn}: kernel must be a non-empty matrix [kh, kw], got shape ${shapeString(kernel.shape)}`);
  }
  return { data: Float64Array.from(kernel.backend.toHost(kernel.storage)), kh: kernel.shape[0], kw: kernel.shape[1] };
}

/**
 * scipy.ndimage.convolve(image, kernel, mode=mode, cval=cval) for an image
 * [H, W] or a batch [n, H, W] (each image alone): out[y, x] =
 * Σ_{a,b} kernel[a, b] · image[y + ⌊kh/2⌋ − a, x + ⌊kw/2⌋ − b], positions
 * outside the image filled by `mode` (default 'reflect'). Any kernel size,
 * even sizes (centred at ⌊k/2⌋, as scipy) and kernels larger than the image
 * included. The result has the image's shape, dtype and backend; the kernel
 * may be on any backend.
 */
export function convolve2d(image: Tensor, kernel: Tensor, options: ConvolveOptions = {}): Tensor {
  const fn = 'ml.convolve2d';
  const [n, h, w] = imageStack(fn, image);
  const k = kernelData(fn, kernel);
  const mode = checkMode(fn, options.mode);
  const cval = checkCval(fn, options.cval);
  return convolver(h, w, [k], mode, cval, image)(image, n).reshape([...image.shape]);
}

/**
 * The convolution of convolve2d on height×width images as a matrix A
 * [H·W, H·W] (float64, on the kernel's backend): vec(out) = A · vec(image)
 * with row-major flattening (row = output pixel, column = input pixel), so
 * a batch X [n, H·W] convolves as X.matmul(A, { transposeB: true }). For
 * mode 'constant' this is the linear part (cval = 0).
 */
export function convolutionOperator(height: number, width: number, kernel: Tensor, options: { mode?: BoundaryMode } = {}): Tensor {
  const fn = 'ml.convolutionOperator';
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  const k = kernelData(fn, kernel);
  const mode = checkMode(fn, options.mode);
  const hw = height * width;
  const matrix = new Float64Array(hw * hw);
  operatorInto(height, width, k, mode, matrix, new Float64Array(hw));
  return new Tensor(matrix, [hw, hw], kernel.backend);
}
