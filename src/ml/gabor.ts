/**
 * Gabor filters as scikit-image 0.19's skimage.filters.gabor_kernel and
 * gabor, and the magnitude features of a filter bank used by the SVM
 * experiment.
 *
 *     import { ml } from 'gradnode';
 *     const bank = ml.gaborBank([Math.PI / 4, Math.PI / 2], [0.05, 0.25], [0.1, 1]);
 *     const X = ml.gaborFeatures(images, bank); // images [n, 14, 14] -> [n, 8·196]
 *
 * The convolutions are filter.ts's: scipy.ndimage's boundary modes, exact
 * for kernels larger than the image (the bank above has 651×651 kernels).
 */
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import {
  checkCval, checkMode, convolver, imageStack,
  type BoundaryMode, type ConvolveOptions, type KernelData,
} from './filter';

/** The parameters of skimage.filters.gabor_kernel (sigma_x → sigmaX, n_stds → nStds). */
export interface GaborOptions {
  /** Spatial frequency of the harmonic, in cycles per pixel (> 0). */
  frequency: number;
  /** Orientation in radians (default 0: the harmonic runs along x, the columns). */
  theta?: number;
  /** Bandwidth in octaves (default 1, > 0); sets sigmaX and sigmaY where they are not given. */
  bandwidth?: number;
  /** Standard deviation along x before rotation (default from bandwidth and frequency). */
  sigmaX?: number;
  /** Standard deviation along y before rotation (default from bandwidth and frequency). */
  sigmaY?: number;
  /** The kernel extends nStds standard deviations from its centre (default 3, > 0). */
  nStds?: number;
  /** Phase offset of the harmonic in radians (default 0). */
  offset?: number;
}

/** Kernels with more entries than this (4096²) are refused rather than allocated. */
const MAX_KERNEL_ENTRIES = 4096 * 4096;

function finite(fn: string, name: string, v: unknown, fallback: number, positive: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) {
    throw new RangeError(`${fn}: ${name} must be a ${positive ? 'positive' : 'finite'} number, got ${String(v)}`);
  }
  return v;
}

/** The real and imaginary parts of the kernel as host float64 arrays. */
function kernelParts(fn: string, options: GaborOptions): { re: KernelData; im: KernelData } {
  if (typeof options !== 'object' || options === null) throw new RangeError(`${fn}: options must be an object with a frequency, got ${String(options)}`);
  if (options.frequency === undefined) throw new RangeError(`${fn}: frequency must be a positive number, got undefined`);
  const f = finite(fn, 'frequency', options.frequency, NaN, true);
  const theta = finite(fn, 'theta', options.theta, 0, false);
  const bandwidth = finite(fn, 'bandwidth', options.bandwidth, 1, true);
  const nStds = finite(fn, 'nStds', options.nStds, 3, true);
  const offset = finite(fn, 'offset', options.offset, 0, false);
  // The Gaussian's sigma for a bandwidth of b octaves at frequency f (skimage's _sigma_prefactor / f).
  const b2 = 2 ** bandwidth;
  const prefactor = 1 / Math.PI * Math.sqrt(Math.log(2) / 2) * (b2 + 1) / (b2 - 1);
  const sx = finite(fn, 'sigmaX', options.sigmaX, prefactor / f, true);
  const sy = finite(fn, 'sigmaY', options.sigmaY, prefactor / f, true);
  // Half-sizes: the rotated nStds-sigma box, at least 1.
  const ct = Math.cos(theta), st = Math.sin(theta);
  const x0 = Math.ceil(Math.max(Math.abs(nStds * sx * ct), Math.abs(nStds * sy * st), 1));
  const y0 = Math.ceil(Math.max(Math.abs(nStds * sy * ct), Math.abs(nStds * sx * st), 1));
  const kh = 2 * y0 + 1, kw = 2 * x0 + 1;
  if (!(kh * kw <= MAX_KERNEL_ENTRIES)) {
    throw new RangeError(`${fn}: the kernel would be ${kh}×${kw} (more than ${MAX_KERNEL_ENTRIES} entries); raise frequency or bandwidth, or lower sigmaX, sigmaY or nStds`);
  }
  // g(x, y) = exp(−(x'²/σx² + y'²/σy²)/2) · exp(i(2π f x' + offset)) / (2π σx σy), x' = x cosθ + y sinθ, y' = −x sinθ + y cosθ.
  const re = new Float64Array(kh * kw), im = new Float64Array(kh * kw);
  const norm = 1 / (2 * Math.PI * sx * sy);
  for (let i = 0; i < kh; i++) {
    const y = i - y0;
    for (let j = 0; j < kw; j++) {
      const x = j - x0;
      const rotx = x * ct + y * st, roty = -x * st + y * ct;
      const envelope = Math.exp(-0.5 * (rotx * rotx / (sx * sx) + roty * roty / (sy * sy)));
      const phase = 2 * Math.PI * f * rotx + offset;
      re[i * kw + j] = envelope * Math.cos(phase) * norm;
      im[i * kw + j] = envelope * Math.sin(phase) * norm;
    }
  }
  return { re: { data: re, kh, kw }, im: { data: im, kh, kw } };
}

/**
 * The complex Gabor kernel of skimage.filters.gabor_kernel(frequency,
 * theta, bandwidth, sigma_x, sigma_y, n_stds, offset) as its real and
 * imaginary parts, float64 [2·y0 + 1, 2·x0 + 1] on the default backend
 * (row = y, column = x, centre at [y0, x0]). Unless given, sigmaX = sigmaY =
 * √(ln 2 / 2)/π · (2^b + 1)/(2^b − 1) / frequency; x0 = ⌈max(|nStds·σx·cosθ|,
 * |nStds·σy·sinθ|, 1)⌉, y0 = ⌈max(|nStds·σy·cosθ|, |nStds·σx·sinθ|, 1)⌉.
 */
export function gaborKernel(options: GaborOptions): { real: Tensor; imag: Tensor } {
  const { re, im } = kernelParts('ml.gaborKernel', options);
  return {
    real: Tensor.from(re.data, { dtype: 'float64', shape: [re.kh, re.kw] }),
    imag: Tensor.from(im.data, { dtype: 'float64', shape: [im.kh, im.kw] }),
  };
}

/**
 * skimage.filters.gabor(image, ...): the image [H, W] (or each image of a
 * batch [n, H, W]) convolved with the real and imaginary parts of
 * gaborKernel(options), as scipy.ndimage.convolve with `mode` (default
 * 'reflect') and `cval`. Both results have the image's shape, dtype and
 * backend.
 */
export function gabor(image: Tensor, options: GaborOptions & ConvolveOptions): { real: Tensor; imag: Tensor } {
  const fn = 'ml.gabor';
  const [n, h, w] = imageStack(fn, image);
  const { re, im } = kernelParts(fn, options);
  const r = convolver(h, w, [re, im], checkMode(fn, options.mode), checkCval(fn, options.cval), image)(image, n);
  const hw = h * w;
  return { real: r.slice(1, 0, hw).reshape([...image.shape]), imag: r.slice(1, hw, 2 * hw).reshape([...image.shape]) };
}

/** The response tensor of one chunk of images stays under this many elements. */
const CHUNK_ELEMENTS = 1 << 22;

/**
 * Gabor-bank features of images [n, H, W]: for each filter of `bank` the
 * magnitude √(re² + im²) of the complex response (gabor() with `mode`,
 * default 'reflect'), as [n, bank.length·H·W], filter-major: columns
 * f·H·W .. (f+1)·H·W − 1 are filter f's response, pixels row-major. All
 * filters are applied together, as one matmul of the images with their
 * stacked convolution matrices (images of up to 1024 pixels). The result
 * has the images' dtype and backend.
 */
export function gaborFeatures(images: Tensor, bank: readonly GaborOptions[], options: ConvolveOptions = {}): Tensor {
  const fn = 'ml.gaborFeatures';
  if (images.ndim !== 3) throw new ShapeError(`${fn}: images must have shape [n, H, W], got ${shapeString(images.shape)}`);
  const [n, h, w] = imageStack(fn, images);
  if (!Array.isArray(bank) || bank.length === 0) throw new RangeError(`${fn}: bank must be a non-empty array of GaborOptions, got ${Array.isArray(bank) ? '[]' : String(bank)}`);
  const mode: BoundaryMode = checkMode(fn, options.mode);
  const cval = checkCval(fn, options.cval);
  const kernels: KernelData[] = [];
  bank.forEach((filter, i) => {
    const { re, im } = kernelParts(`${fn}: bank[${i}]`, filter);
    kernels.push(re, im);
  });
  const F = bank.length, hw = h * w;
  // Responses [rows, (re₀, im₀, re₁, im₁, ...)·hw] -> squared, the re/im pairs summed, square-rooted.
  const convolve = convolver(h, w, kernels, mode, cval, images);
  const magnitudes = (stack: Tensor, rows: number): Tensor =>
    convolve(stack, rows).square().reshape(rows * F, 2, hw).sum(1).sqrt().reshape(rows, F * hw);
  const chunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / (2 * F * hw)));
  if (n <= chunk) return magnitudes(images, n);
  const parts: Tensor[] = [];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    parts.push(magnitudes(images.sliceRows(start, end), end - start));
  }
  return Tensor.concat(parts, 0);
}

/**
 * The bank of every (theta, frequency, bandwidth) combination, in the order
 * theta-major, then frequency, then bandwidth (the last varies fastest):
 * [θ₀f₀b₀, θ₀f₀b₁, θ₀f₁b₀, ..., θ₁f₀b₀, ...]. Values are checked when the
 * kernels are made.
 */
export function gaborBank(thetas: readonly number[], frequencies: readonly number[], bandwidths: readonly number[]): GaborOptions[] {
  const bank: GaborOptions[] = [];
  for (const theta of thetas) {
    for (const frequency of frequencies) {
      for (const bandwidth of bandwidths) bank.push({ frequency, theta, bandwidth });
    }
  }
  return bank;
}
