/**
 * The kernel interface every backend implements.
 *
 * Kernels are dumb: they receive typed arrays, sizes and flags, compute, and
 * write into output arrays the caller provides. No graph or training logic
 * lives here. All matrices are dense and row-major. Every float array passed
 * to one call has the same dtype (all Float32Array or all Float64Array).
 * "Overwrite" means the output's previous contents are ignored.
 *
 * The `ts` backend (src/backend/ts/) is the readable reference: every native
 * backend is tested against it.
 */

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
export type BackendName = 'ts' | 'cpu' | 'cuda';

/**
 * Memory of a device backend (cuda): a view, `offset` and `length` in
 * elements, into an allocation made by that backend's alloc(). Views share
 * the allocation (`handle`), which is freed when no view references it.
 * JS never reads it directly: data crosses only through fromHost / toHost.
 */
export interface DeviceArray {
  readonly handle: object;
  readonly offset: number;
  readonly length: number;
  readonly dtype: DType;
}

/** What kernels read and write: typed arrays on host backends, DeviceArrays on device ones. */
export type Storage = FloatArray | DeviceArray;

/** The dtype of a typed array or device array. */
export function storageDType(s: Storage): DType {
  return s instanceof Float64Array ? 'float64' : s instanceof Float32Array ? 'float32' : s.dtype;
}

/** Arrays of more than 64 bytes (V8 keeps smaller ones on its heap, where they are cheap) up to this size come from a slab. */
const SLAB_MAX_BYTES = 2048;
const SLAB_BYTES = 16384;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * A new zero-filled typed array of the dtype.
 *
 * V8 gives each typed array above 64 bytes a backing store of its own
 * (calloc plus external-memory bookkeeping, about 0.5 µs), which dominates
 * ops on small tensors. Arrays of 65 to 2048 bytes are therefore views into
 * a shared 16 KiB slab of fresh (zeroed, never reused) memory, 8-byte
 * aligned. The garbage collector frees a slab when no view of it is left, so
 * a long-lived small array keeps at most 16 KiB alive. Consequence for
 * callers: `array.buffer` may be shared with other arrays; use
 * byteOffset/byteLength (as Buffer.from(buffer, offset, length) does), and
 * never transfer or detach a tensor's buffer.
 */
export function allocate(dtype: DType, length: number): FloatArray {
  const bytes = length * (dtype === 'float64' ? 8 : 4);
  if (bytes <= 64 || bytes > SLAB_MAX_BYTES) return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  let at = (slabUsed + 7) & ~7;
  if (at + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    at = 0;
  }
  slabUsed = at + bytes;
  return dtype === 'float64' ? new Float64Array(slab, at, length) : new Float32Array(slab, at, length);
}

/** Whether two host arrays have memory in common (the same buffer and overlapping byte ranges). */
export function hostArraysOverlap(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

export function isHostArray(s: Storage): s is FloatArray {
  return s instanceof Float32Array || s instanceof Float64Array;
}

/** Activation fused after a bias add: identity, max(x,0) or tanh. */
export type Activation = 'identity' | 'relu' | 'tanh';
/** Activation fused after LayerNorm. */
export type NormActivation = 'identity' | 'relu';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';
/**
 * Elementwise unary ops. `reluMask` is 1 where x > 0 else 0, `sign` is
 * -1/0/1, `tanhGrad` is 1 - x² (the tanh derivative written in its output),
 * `reciprocal` is 1/x.
 */
export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'sqrt' | 'square' | 'reciprocal'
  | 'tanh' | 'tanhGrad' | 'sigmoid' | 'relu' | 'reluMask' | 'log1p';
export type ReduceOp = 'sum' | 'max' | 'min';

export const ACTIVATIONS: readonly Activation[] = ['identity', 'relu', 'tanh'];
export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'square', 'reciprocal',
  'tanh', 'tanhGrad', 'sigmoid', 'relu', 'reluMask', 'log1p',
];
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min'];

/** Sizes of a 2-D convolution over an NCHW batch, for im2col / col2im. */
export interface ConvGeometry {
  batch: number; channels: number; height: number; width: number;
  kernelH: number; kernelW: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
}

/** Output spatial size of a convolution: floor((in + 2 pad - k) / stride) + 1. */
/** The window of a max pooling fused after a convolution (no padding). */
export interface PoolWindow { kernelH: number; kernelW: number; strideH: number; strideW: number }

/** The geometry of max pooling with window p over the output of convolution g with outChannels filters. */
export function poolGeometry(g: ConvGeometry, outChannels: number, p: PoolWindow): ConvGeometry {
  const { outH, outW } = convOutputSize(g);
  return { batch: g.batch, channels: outChannels, height: outH, width: outW, ...p, padH: 0, padW: 0 };
}

export function convOutputSize(g: ConvGeometry): { outH: number; outW: number } {
  return {
    outH: Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
    outW: Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
  };
}

export interface Backend {
  readonly name: BackendName;

  // ---- memory -------------------------------------------------------------
  /**
   * 'host': storage is a Float32Array/Float64Array JS reads directly (ts, cpu);
   * 'device': storage is a DeviceArray, and data moves between JS and the
   * device only through fromHost / toHost.
   */
  readonly memory: 'host' | 'device';
  /** A zero-filled buffer. */
  alloc(dtype: DType, length: number): Storage;
  /** The backend's storage for host data: the array itself on host backends, an upload on device ones. */
  fromHost(data: FloatArray): Storage;
  /** The values as a typed array: the storage itself on host backends, a download on device ones. */
  toHost(s: Storage): FloatArray;
  /** Elements offset..offset+length-1 of s, sharing its memory. */
  view(s: Storage, offset: number, length: number): Storage;
  /** dst = src (same length and dtype; they must not overlap). */
  copy(src: Storage, dst: Storage): void;
  /** rows × cols elements: dst[r·dstStride + c] = src[r·srcStride + c] (a block of a matrix into another). */
  copy2d(rows: number, cols: number, src: Storage, srcStride: number, dst: Storage, dstStride: number): void;
  fill(dst: Storage, value: number): void;
  /** dst = src converted to dst's dtype (same length). */
  cast(src: Storage, dst: Storage): void;

  // ---- BLAS ---------------------------------------------------------------
  /**
   * C = alpha * op(A) * op(B) + beta * C, where op(A) is m×k and op(B) is k×n.
   * A is stored m×k with row stride lda (k×m when transA); B is k×n with row
   * stride ldb (n×k when transB); C is m×n with row stride ldc. With beta = 0
   * C is overwritten (NaNs in it are not propagated).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: Storage, lda: number, b: Storage, ldb: number,
       beta: number, c: Storage, ldc: number): void;

  // ---- bias + activation --------------------------------------------------
  /** out[i,j] = act(x[i,j] + bias[j]) for an m×n x; bias may be null (0). out may be x. */
  biasActivationForward(act: Activation, m: number, n: number, x: Storage,
                        bias: Storage | null, out: Storage): void;
  /**
   * Given dOut and the forward output `out` (m×n): dX = dOut * act'(.) where
   * act' is read from `out` (relu: out > 0; tanh: 1 - out²); dBias[j] =
   * Σ_i dX[i,j] (overwritten; skipped when null). dX may be dOut.
   */
  biasActivationBackward(act: Activation, m: number, n: number, dOut: Storage,
                         out: Storage, dX: Storage, dBias: Storage | null): void;

  // ---- LayerNorm over the last dimension ----------------------------------
  /**
   * Per row i of the m×n input z = x (+ residual when not null):
   * mean[i], rstd[i] = 1/sqrt(var[i] + eps) with the biased variance,
   * out = act(gamma * (z - mean) * rstd + beta).
   */
  layerNormForward(m: number, n: number, x: Storage, residual: Storage | null,
                   gamma: Storage, beta: Storage, eps: number, act: NormActivation,
                   out: Storage, mean: Storage, rstd: Storage): void;
  /**
   * Backward of layerNormForward. With act = 'relu', `out` (the forward output)
   * gives the mask and must not be null; with 'identity' it is ignored.
   * dX = d/dz (the same gradient flows to x and to the residual);
   * dGamma[j] = Σ_i g[i,j] zhat[i,j], dBeta[j] = Σ_i g[i,j] where g is the
   * gradient after the activation. dGamma/dBeta are overwritten; null skips them.
   */
  layerNormBackward(m: number, n: number, dOut: Storage, x: Storage,
                    residual: Storage | null, mean: Storage, rstd: Storage,
                    gamma: Storage, act: NormActivation, out: Storage | null,
                    dX: Storage, dGamma: Storage | null, dBeta: Storage | null): void;

  // ---- log-softmax + negative log-likelihood ------------------------------
  /**
   * For m rows of c logits: logProbs = logits - logsumexp(row) (stable),
   * argmax[i] = first index of the row maximum (skipped when null), returns
   * the mean over rows of -logProbs[i, labels[i]]. Labels must lie in [0, c).
   */
  logSoftmaxNllForward(m: number, c: number, logits: Storage, labels: Int32Array,
                       logProbs: Storage, argmax: Int32Array | null): number;
  /** dLogits = (gradLoss / m) * (exp(logProbs) - onehot(labels)). */
  logSoftmaxNllBackward(m: number, c: number, logProbs: Storage, labels: Int32Array,
                        gradLoss: number, dLogits: Storage): void;

  // ---- convolution helpers ------------------------------------------------
  /**
   * NCHW images (batch×channels×height×width) to columns laid out
   * batch × (channels·kernelH·kernelW) × (outH·outW); row index
   * (ch·kernelH + ky)·kernelW + kx; padding reads as 0.
   */
  im2col(g: ConvGeometry, images: Storage, cols: Storage): void;
  /** The adjoint of im2col: images is overwritten with the sum of every column entry at its pixel. */
  col2im(g: ConvGeometry, cols: Storage, images: Storage): void;
  /**
   * out (batch×outChannels×outH×outW) = act(conv(x, weight) + bias) for NCHW x
   * and weight outChannels×channels×kernelH×kernelW (PyTorch's conv2d; bias
   * [outChannels] or null): im2col + GEMM image by image.
   */
  conv2dForward(g: ConvGeometry, outChannels: number, act: Activation, x: Storage, weight: Storage,
                bias: Storage | null, out: Storage): void;
  /**
   * The gradients of conv2dForward from dOut and its x and out: dX, dWeight
   * and dBias are each overwritten, or skipped when null.
   */
  conv2dBackward(g: ConvGeometry, outChannels: number, act: Activation, x: Storage, dOut: Storage, out: Storage,
                 weight: Storage, dX: Storage | null, dWeight: Storage | null, dBias: Storage | null): void;
  /**
   * conv2dForward followed by max pooling of its output (no padding), without
   * the convolution's output ever being stored: pooled is
   * batch×outChannels×pooledH×pooledW and argmax[i] the flat index into the
   * (unstored) convolution output of pooled[i], as maxPool2d gives it.
   */
  conv2dPoolForward(g: ConvGeometry, outChannels: number, act: Activation, pool: PoolWindow, x: Storage, weight: Storage,
                    bias: Storage | null, pooled: Storage, argmax: Int32Array): void;
  /** The gradients of conv2dPoolForward from dPooled and its x, pooled and argmax (dX, dWeight, dBias as conv2dBackward). */
  conv2dPoolBackward(g: ConvGeometry, outChannels: number, act: Activation, pool: PoolWindow, x: Storage, dPooled: Storage,
                     pooled: Storage, argmax: Int32Array, weight: Storage,
                     dX: Storage | null, dWeight: Storage | null, dBias: Storage | null): void;
  /**
   * 2-D max pooling of NCHW x (g.padH = g.padW = 0) into out
   * (batch×channels×outH×outW); argmax[i] is the flat index into x of out[i]'s
   * value: the first maximum of its window in row-major order, or the first
   * NaN. Backward is a scatterAdd of the output gradient at argmax.
   */
  maxPool2d(g: ConvGeometry, x: Storage, out: Storage, argmax: Int32Array): void;

  // ---- elementwise --------------------------------------------------------
  /**
   * out (contiguous, the given shape) = a op b, reading a and b through
   * element strides (0 along broadcast dimensions). out may alias a or b
   * only when that operand's strides are the contiguous ones.
   */
  binary(op: BinaryOp, shape: readonly number[], a: Storage, aStrides: readonly number[],
         b: Storage, bStrides: readonly number[], out: Storage): void;
  /** out = op(x), same length; out may be x. */
  unary(op: UnaryOp, x: Storage, out: Storage): void;
  /** out = alpha * x; out may be x. */
  scale(alpha: number, x: Storage, out: Storage): void;
  /** y += alpha * x. */
  axpy(alpha: number, x: Storage, y: Storage): void;
  /** out (contiguous, the given shape) = src read through element strides (a transpose, slice or broadcast). */
  copyStrided(shape: readonly number[], src: Storage, srcStrides: readonly number[], out: Storage): void;

  // ---- optimisers ---------------------------------------------------------
  /**
   * One Adam update of p in place (PyTorch's form), step t >= 1:
   * m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g²,
   * p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps).
   * p, g, m and v have one length and are distinct arrays.
   */
  adamStep(step: number, lr: number, beta1: number, beta2: number, eps: number,
           p: Storage, g: Storage, m: Storage, v: Storage): void;

  // ---- reductions ---------------------------------------------------------
  /**
   * x viewed as outer×n×inner; out (outer×inner) = op over the middle axis.
   * Row sums of an m×c matrix: (m, c, 1); column sums: (1, m, c).
   */
  reduce(op: ReduceOp, outer: number, n: number, inner: number, x: Storage, out: Storage): void;
  /** Like reduce, writing the first index of the maximum along the middle axis. */
  argmax(outer: number, n: number, inner: number, x: Storage, out: Int32Array): void;

  // ---- gather / scatter ---------------------------------------------------
  /**
   * out[j] = src[index[j]] for j < index.length; out must have exactly
   * index.length elements and every index lie in [0, src.length).
   * out must not overlap src or index.
   */
  gather(src: Storage, index: Int32Array, out: Storage): void;
  /**
   * out[index[j]] += src[j] for j < index.length (repeated indices
   * accumulate, in increasing j); src must have exactly index.length elements
   * and every index lie in [0, out.length). The adjoint of gather. out must
   * not overlap src or index.
   */
  scatterAdd(src: Storage, index: Int32Array, out: Storage): void;

  // ---- linear algebra -----------------------------------------------------
  /**
   * Symmetric eigendecomposition of the n×n matrix a (only its lower
   * triangle is read): values ascending; vectors n×n with column j the unit
   * eigenvector of values[j] (as numpy.linalg.eigh).
   */
  symEig(n: number, a: Storage, values: Storage, vectors: Storage): void;
  /**
   * Thin SVD a (m×n) = u diag(s) vt with k = min(m, n): u m×k, s k
   * (descending), vt k×n.
   */
  svd(m: number, n: number, a: Storage, u: Storage, s: Storage, vt: Storage): void;
  /**
   * Solves a x = b: a n×n, b and x n×nrhs, row-major (as numpy.linalg.solve).
   * LU with partial pivoting (LAPACK ?getrf + ?getrs natively). Inputs are
   * not modified; x may alias them. A pivot u_kk that is 0 or
   * |u_kk| <= n·ε·max_i |a_ik| (ε of the dtype) throws SingularMatrixError
   * (and writes nothing); non-finite a or b throws a RangeError naming the entry.
   */
  solve(n: number, nrhs: number, a: Storage, b: Storage, x: Storage): void;
  /**
   * Minimum-norm least squares: x (n×nrhs) minimising ‖a x - b‖ (a m×n, b
   * m×nrhs, row-major) with the smallest ‖x‖, singular values
   * <= ε·max(m, n)·s_1 counted as zero (numpy.linalg.lstsq's default rcond;
   * LAPACK ?gelsd natively). Returns the effective rank; the singular values
   * of a (min(m, n), descending) go to `s` when given. Inputs are not
   * modified; non-finite a or b throws a RangeError naming the entry.
   */
  lstsq(m: number, n: number, nrhs: number, a: Storage, b: Storage, x: Storage, s?: Storage | null): number;

  // ---- kernel machines ----------------------------------------------------
  /**
   * The binary C-SVC problems of a one-vs-one fit, each solved by SMO as
   * libsvm 3.x solves it (second-order working sets, shrinking, float kernel
   * rows; see native/cpu/svm.cc). x: n×d, its rows grouped by class
   * (classCounts[c] rows for class c, in class order, k >= 2 classes). Pair
   * p = (i, j), i < j in lexicographic order, separates class i (+1) from
   * class j (−1): the signed coefficients y·α of its ci + cj rows (class i's
   * first) go to alpha from the sum of the earlier pairs' sizes ((k − 1)·n in
   * all), its ρ (decision = Σ coef·K − ρ) to rho[p], its iteration count to
   * iterations[p]. Non-finite x throws a RangeError naming the entry. Returns
   * how many pairs stopped at params.maxIter.
   */
  svcSolve(n: number, d: number, x: Storage, classCounts: Int32Array, params: SvcSolveParams,
           alpha: Float64Array, rho: Float64Array, iterations: Int32Array): number;
}

/** The kernels of svcSolve, in the addon's index order. */
export const SVC_KERNELS = ['linear', 'poly', 'rbf', 'sigmoid'] as const;
export type SvcKernel = (typeof SVC_KERNELS)[number];

/** The problem parameters of svcSolve (libsvm's names in brackets). */
export interface SvcSolveParams {
  /** K(a, b): a·b, (γ a·b + coef0)^degree, exp(−γ‖a − b‖²) or tanh(γ a·b + coef0). */
  kernel: SvcKernel;
  degree: number;
  gamma: number;
  coef0: number;
  /** The box bound (C), > 0. */
  C: number;
  /** Stopping tolerance on the maximal violation (eps), > 0. */
  tol: number;
  shrinking: boolean;
  /** Kernel cache per binary problem, MB (cache_size): the whole Q is built up front when it fits. */
  cacheMB: number;
  /** Iteration limit per binary problem; 0 for none. */
  maxIter: number;
}
