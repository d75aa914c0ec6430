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
  | 'tanh' | 'tanhGrad' | 'sigmoid' | 'relu' | 'reluMask';
export type ReduceOp = 'sum' | 'max' | 'min';

export const ACTIVATIONS: readonly Activation[] = ['identity', 'relu', 'tanh'];
export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'square', 'reciprocal',
  'tanh', 'tanhGrad', 'sigmoid', 'relu', 'reluMask',
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
export function convOutputSize(g: ConvGeometry): { outH: number; outW: number } {
  return {
    outH: Math.floor((g.height + 2 * g.padH - g.kernelH) / g.strideH) + 1,
    outW: Math.floor((g.width + 2 * g.padW - g.kernelW) / g.strideW) + 1,
  };
}

export interface Backend {
  readonly name: BackendName;

  // ---- BLAS ---------------------------------------------------------------
  /**
   * C = alpha * op(A) * op(B) + beta * C, where op(A) is m×k and op(B) is k×n.
   * A is stored m×k with row stride lda (k×m when transA); B is k×n with row
   * stride ldb (n×k when transB); C is m×n with row stride ldc. With beta = 0
   * C is overwritten (NaNs in it are not propagated).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
       alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number,
       beta: number, c: FloatArray, ldc: number): void;

  // ---- bias + activation --------------------------------------------------
  /** out[i,j] = act(x[i,j] + bias[j]) for an m×n x; bias may be null (0). out may be x. */
  biasActivationForward(act: Activation, m: number, n: number, x: FloatArray,
                        bias: FloatArray | null, out: FloatArray): void;
  /**
   * Given dOut and the forward output `out` (m×n): dX = dOut * act'(.) where
   * act' is read from `out` (relu: out > 0; tanh: 1 - out²); dBias[j] =
   * Σ_i dX[i,j] (overwritten; skipped when null). dX may be dOut.
   */
  biasActivationBackward(act: Activation, m: number, n: number, dOut: FloatArray,
                         out: FloatArray, dX: FloatArray, dBias: FloatArray | null): void;

  // ---- LayerNorm over the last dimension ----------------------------------
  /**
   * Per row i of the m×n input z = x (+ residual when not null):
   * mean[i], rstd[i] = 1/sqrt(var[i] + eps) with the biased variance,
   * out = act(gamma * (z - mean) * rstd + beta).
   */
  layerNormForward(m: number, n: number, x: FloatArray, residual: FloatArray | null,
                   gamma: FloatArray, beta: FloatArray, eps: number, act: NormActivation,
                   out: FloatArray, mean: FloatArray, rstd: FloatArray): void;
  /**
   * Backward of layerNormForward. With act = 'relu', `out` (the forward output)
   * gives the mask and must not be null; with 'identity' it is ignored.
   * dX = d/dz (the same gradient flows to x and to the residual);
   * dGamma[j] = Σ_i g[i,j] zhat[i,j], dBeta[j] = Σ_i g[i,j] where g is the
   * gradient after the activation. dGamma/dBeta are overwritten; null skips them.
   */
  layerNormBackward(m: number, n: number, dOut: FloatArray, x: FloatArray,
                    residual: FloatArray | null, mean: FloatArray, rstd: FloatArray,
                    gamma: FloatArray, act: NormActivation, out: FloatArray | null,
                    dX: FloatArray, dGamma: FloatArray | null, dBeta: FloatArray | null): void;

  // ---- log-softmax + negative log-likelihood ------------------------------
  /**
   * For m rows of c logits: logProbs = logits - logsumexp(row) (stable),
   * argmax[i] = first index of the row maximum (skipped when null), returns
   * the mean over rows of -logProbs[i, labels[i]]. Labels must lie in [0, c).
   */
  logSoftmaxNllForward(m: number, c: number, logits: FloatArray, labels: Int32Array,
                       logProbs: FloatArray, argmax: Int32Array | null): number;
  /** dLogits = (gradLoss / m) * (exp(logProbs) - onehot(labels)). */
  logSoftmaxNllBackward(m: number, c: number, logProbs: FloatArray, labels: Int32Array,
                        gradLoss: number, dLogits: FloatArray): void;

  // ---- convolution helpers ------------------------------------------------
  /**
   * NCHW images (batch×channels×height×width) to columns laid out
   * batch × (channels·kernelH·kernelW) × (outH·outW); row index
   * (ch·kernelH + ky)·kernelW + kx; padding reads as 0.
   */
  im2col(g: ConvGeometry, images: FloatArray, cols: FloatArray): void;
  /** The adjoint of im2col: images is overwritten with the sum of every column entry at its pixel. */
  col2im(g: ConvGeometry, cols: FloatArray, images: FloatArray): void;

  // ---- elementwise --------------------------------------------------------
  /**
   * out (contiguous, the given shape) = a op b, reading a and b through
   * element strides (0 along broadcast dimensions). out may alias a or b
   * only when that operand's strides are the contiguous ones.
   */
  binary(op: BinaryOp, shape: readonly number[], a: FloatArray, aStrides: readonly number[],
         b: FloatArray, bStrides: readonly number[], out: FloatArray): void;
  /** out = op(x), same length; out may be x. */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray): void;
  /** out = alpha * x; out may be x. */
  scale(alpha: number, x: FloatArray, out: FloatArray): void;
  /** y += alpha * x. */
  axpy(alpha: number, x: FloatArray, y: FloatArray): void;
  /** out (contiguous, the given shape) = src read through element strides (a transpose, slice or broadcast). */
  copyStrided(shape: readonly number[], src: FloatArray, srcStrides: readonly number[], out: FloatArray): void;

  // ---- reductions ---------------------------------------------------------
  /**
   * x viewed as outer×n×inner; out (outer×inner) = op over the middle axis.
   * Row sums of an m×c matrix: (m, c, 1); column sums: (1, m, c).
   */
  reduce(op: ReduceOp, outer: number, n: number, inner: number, x: FloatArray, out: FloatArray): void;
  /** Like reduce, writing the first index of the maximum along the middle axis. */
  argmax(outer: number, n: number, inner: number, x: FloatArray, out: Int32Array): void;

  // ---- gather / scatter ---------------------------------------------------
  /**
   * out[j] = src[index[j]] for j < index.length; out must have exactly
   * index.length elements and every index lie in [0, src.length).
   * out must not overlap src or index.
   */
  gather(src: FloatArray, index: Int32Array, out: FloatArray): void;
  /**
   * out[index[j]] += src[j] for j < index.length (repeated indices
   * accumulate, in increasing j); src must have exactly index.length elements
   * and every index lie in [0, out.length). The adjoint of gather. out must
   * not overlap src or index.
   */
  scatterAdd(src: FloatArray, index: Int32Array, out: FloatArray): void;

  // ---- linear algebra -----------------------------------------------------
  /**
   * Symmetric eigendecomposition of the n×n matrix a (only its lower
   * triangle is read): values ascending; vectors n×n with column j the unit
   * eigenvector of values[j] (as numpy.linalg.eigh).
   */
  symEig(n: number, a: FloatArray, values: FloatArray, vectors: FloatArray): void;
  /**
   * Thin SVD a (m×n) = u diag(s) vt with k = min(m, n): u m×k, s k
   * (descending), vt k×n.
   */
  svd(m: number, n: number, a: FloatArray, u: FloatArray, s: FloatArray, vt: FloatArray): void;
}
