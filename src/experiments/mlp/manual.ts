/**
 * The network with analytic backprop straight on the backend's kernels (no
 * autograd). Full batch: one forward and one backward over all N rows.
 *   forward:  Z_i = H_{i-1} W_iᵀ + b_i, H_i = relu(Z_i) (hidden, in place),
 *             logits Z_L; loss = mean NLL of log-softmax(Z_L) (fused, stable)
 *   backward: dZ_L = (softmax(Z_L) - onehot(y)) / N,
 *             dW_i = dZ_iᵀ H_{i-1}, db_i = Σ_rows dZ_i, dH_{i-1} = dZ_i W_i,
 *             dZ_{i-1} = dH_{i-1} ⊙ [H_{i-1} > 0]
 *   update:   W_i -= lr dW_i, b_i -= lr db_i
 * Activation buffers are allocated for the largest row count seen (once, for
 * the training set) and reused; predict runs in chunks of that size.
 */
import type { Backend, DType, FloatArray } from '../../backend/backend';
import { Tensor, allocate } from '../../tensor/tensor';
import { namedMlpWeights, type MlpModel, type MlpWeights } from './weights';

export class ManualMlp implements MlpModel {
  private readonly L: number;
  private readonly dtype: DType;
  private readonly W: FloatArray[];
  private readonly b: FloatArray[];
  private readonly gW: FloatArray[];
  private readonly gb: FloatArray[];
  private capacity = 0;
  /** H[i]: the output of layer i (N × n_{i+1}): relu for hidden layers, the logits for the last. */
  private H: FloatArray[] = [];
  /** dH[i]: gradient of the loss with respect to H[i], turned into dZ in place. */
  private dH: FloatArray[] = [];
  private logProbs: FloatArray = new Float32Array(0);
  private argmax = new Int32Array(0);

  constructor(readonly shape: readonly number[], weights: MlpWeights, private readonly backend: Backend, capacity = 0) {
    this.L = shape.length - 1;
    this.dtype = weights.W[0].dtype;
    this.W = weights.W.map((t) => t.data.slice());
    this.b = weights.b.map((t) => t.data.slice());
    this.gW = this.W.map((w) => allocate(this.dtype, w.length));
    this.gb = this.b.map((v) => allocate(this.dtype, v.length));
    if (capacity > 0) this.ensure(capacity);
  }

  /** Grows the activation buffers to N rows (no-op when they are large enough). */
  private ensure(N: number): void {
    if (N <= this.capacity) return;
    const a = (n: number) => allocate(this.dtype, n);
    const widths = this.shape.slice(1);
    this.H = widths.map((n) => a(N * n));
    this.dH = widths.map((n) => a(N * n));
    this.logProbs = a(N * widths[widths.length - 1]);
    this.argmax = new Int32Array(N);
    this.capacity = N;
  }

  private rows(X: Tensor): number {
    if (X.ndim !== 2 || X.shape[1] !== this.shape[0]) {
      throw new RangeError(`Expected N×${this.shape[0]} inputs, received [${X.shape.join(', ')}]`);
    }
    if (X.dtype !== this.dtype) throw new TypeError(`Expected ${this.dtype} inputs, received ${X.dtype}`);
    return X.shape[0];
  }

  /** Forward over N rows of x into H; returns the logits buffer (N × n_L view). */
  private forward(x: FloatArray, N: number): FloatArray {
    const { backend: be, shape, L } = this;
    let input = x;
    for (let i = 0; i < L; i++) {
      const nIn = shape[i];
      const nOut = shape[i + 1];
      const out = this.H[i].subarray(0, N * nOut);
      be.gemm(false, true, N, nOut, nIn, 1, input, nIn, this.W[i], nIn, 0, out, nOut);
      be.biasActivationForward(i < L - 1 ? 'relu' : 'identity', N, nOut, out, this.b[i], out);
      input = out;
    }
    return this.H[L - 1].subarray(0, N * shape[L]);
  }

  /** Forward, loss and backward on all rows into gW/gb; returns the mean loss. */
  private lossAndGradients(X: Tensor, y: Int32Array): number {
    const N = this.rows(X);
    if (y.length !== N) throw new RangeError(`${y.length} labels for ${N} rows`);
    this.ensure(N);
    const { backend: be, shape, L } = this;
    const c = shape[L];
    const logits = this.forward(X.data, N);
    const logProbs = this.logProbs.subarray(0, N * c);
    const loss = be.logSoftmaxNllForward(N, c, logits, y, logProbs, null);
    be.logSoftmaxNllBackward(N, c, logProbs, y, 1, this.dH[L - 1].subarray(0, N * c));
    for (let i = L - 1; i >= 0; i--) {
      const nIn = shape[i];
      const nOut = shape[i + 1];
      const dZ = this.dH[i].subarray(0, N * nOut);
      if (i < L - 1) be.biasActivationBackward('relu', N, nOut, dZ, this.H[i].subarray(0, N * nOut), dZ, this.gb[i]);
      else be.reduce('sum', 1, N, nOut, dZ, this.gb[i]);
      const input = i === 0 ? X.data : this.H[i - 1].subarray(0, N * nIn);
      be.gemm(true, false, nOut, nIn, N, 1, dZ, nOut, input, nIn, 0, this.gW[i], nIn);
      if (i > 0) be.gemm(false, false, N, nIn, nOut, 1, dZ, nOut, this.W[i], nIn, 0, this.dH[i - 1].subarray(0, N * nIn), nIn);
    }
    return loss;
  }

  trainOneEpoch(X: Tensor, y: Int32Array, _y1hot: Tensor, lr: number): number {
    const loss = this.lossAndGradients(X, y);
    for (let i = 0; i < this.L; i++) {
      this.backend.axpy(-lr, this.gW[i], this.W[i]);
      this.backend.axpy(-lr, this.gb[i], this.b[i]);
    }
    return loss;
  }

  predict(X: Tensor): Int32Array {
    const N = this.rows(X);
    if (this.capacity === 0) this.ensure(Math.min(N, 10000));
    const d = this.shape[0];
    const c = this.shape[this.L];
    const out = new Int32Array(N);
    for (let start = 0; start < N; start += this.capacity) {
      const B = Math.min(this.capacity, N - start);
      const logits = this.forward(X.data.subarray(start * d, (start + B) * d), B);
      this.backend.argmax(B, c, 1, logits, this.argmax.subarray(0, B));
      out.set(this.argmax.subarray(0, B), start);
    }
    return out;
  }

  gradients(X: Tensor, y: Int32Array, _y1hot: Tensor): Record<string, Tensor> {
    this.lossAndGradients(X, y);
    return this.named(this.gW, this.gb);
  }

  weights(): Record<string, Tensor> {
    return this.named(this.W, this.b);
  }

  private named(W: FloatArray[], b: FloatArray[]): Record<string, Tensor> {
    const t = (data: FloatArray, shape: number[]) => new Tensor(data.slice(), shape, this.backend);
    return namedMlpWeights({
      W: W.map((w, i) => t(w, [this.shape[i + 1], this.shape[i]])),
      b: b.map((v, i) => t(v, [this.shape[i + 1]])),
    });
  }
}
