/**
 * The dense residual MLP with a hand-derived backward pass, straight on the
 * backend's kernels with buffers allocated once.
 *
 * Layout: the X-rows of W1, W2, W3 are packed side by side into one d×3h
 * matrix `wx` (their bias rows into `bx`), so the forward pass multiplies X
 * once (P = X·wx, B×3h) and the backward pass gets all three X-block
 * gradients from one GEMM (dwx = Xᵀ [dZ1‖dZ2‖dZ3]). The gradient with
 * respect to X is never computed. LayerNorm, its residual add and the ReLU
 * run as one fused kernel each way; LN backward per row is
 * dz = rstd · (g - mean(g) - ẑ · mean(g ẑ)) with g = gamma · dOut masked by the ReLU.
 *
 * Every buffer is the backend's storage (views, copies and block copies go
 * through its memory functions), so the same code runs on host backends and
 * keeps everything in device memory on cuda, where each input batch is
 * uploaded once per step.
 */
import type { Backend, DType, FloatArray, Storage } from '../../backend/backend';
import { Tensor } from '../../tensor/tensor';
import type { DenseResModel, DenseResShape, DenseResWeights } from './weights';

const EPS = 1e-5;

/** The parameters (or their gradients); the vectors are views of one buffer, `vec`. */
interface Params {
  wx: Storage; w2h: Storage; w3h: Storage; w4: Storage;
  vec: Storage; bx: Storage; b4: Storage; gamma: Storage[]; beta: Storage[];
}

export class ManualDenseRes implements DenseResModel {
  private readonly d: number;
  private readonly h: number;
  private readonly c: number;
  private readonly p: Params;
  private readonly g: Params;
  // Activations (sized for maxBatch rows).
  private readonly P: Storage; private readonly dP: Storage;
  private readonly Z: Storage[]; private readonly H: Storage[];
  private readonly mean: Storage[]; private readonly rstd: Storage[];
  private readonly dH: Storage[]; private readonly dZ: Storage[];
  private readonly Z4: Storage; private readonly logProbs: Storage; private readonly dZ4: Storage;
  private readonly argmax: Int32Array;
  /** w4ᵀ (C×h): OpenBLAS's transposed-B path is very slow for K = C = 10, so dH3 = dZ4·w4ᵀ reads this copy. */
  private readonly w4T: Storage;

  constructor(readonly shape: DenseResShape, weights: DenseResWeights, private readonly backend: Backend,
              readonly dtype: DType, readonly maxBatch: number) {
    const { inputs: d, hidden: h, classes: c } = shape;
    this.d = d; this.h = h; this.c = c;
    const a = (n: number) => backend.alloc(dtype, n);
    // Biases, gammas and betas side by side, so that one axpy updates them all.
    const params = (): Params => {
      const vec = a(9 * h + c);
      const at = (offset: number, n: number) => backend.view(vec, offset, n);
      return {
        wx: a(d * 3 * h), w2h: a(h * h), w3h: a(2 * h * h), w4: a(h * c),
        vec, bx: at(0, 3 * h), b4: at(3 * h, c),
        gamma: [0, 1, 2].map((k) => at(3 * h + c + k * h, h)), beta: [0, 1, 2].map((k) => at(6 * h + c + k * h, h)),
      };
    };
    this.p = params();
    this.g = params();
    this.pack(weights);
    const B = maxBatch;
    this.P = a(B * 3 * h); this.dP = a(B * 3 * h);
    const three = () => [a(B * h), a(B * h), a(B * h)];
    this.Z = three(); this.H = three(); this.dH = three(); this.dZ = three();
    this.mean = [a(B), a(B), a(B)]; this.rstd = [a(B), a(B), a(B)];
    this.Z4 = a(B * c); this.logProbs = a(B * c); this.dZ4 = a(B * c);
    this.argmax = new Int32Array(B);
    this.w4T = a(c * h);
  }

  /** The first n elements of a buffer (offset 0), as the backend's view. */
  private v(buf: Storage, n: number, offset = 0): Storage {
    return this.backend.view(buf, offset, n);
  }

  /** Copies spec-layout weights into the packed buffers. */
  private pack(w: DenseResWeights): void {
    const { d, h, c, p, backend: be } = this;
    const src = (t: Tensor) => (t.backend === be ? t.storage : be.fromHost(t.backend.toHost(t.storage)));
    const part = (t: Tensor, from: number, n: number) => this.v(src(t), n, from);
    [w.W1, w.W2, w.W3].forEach((W, k) => {
      be.copy2d(d, h, src(W), h, this.v(p.wx, (d - 1) * 3 * h + h, k * h), 3 * h);
      const biasRow = d + k * h;
      be.copy(part(W, biasRow * h, h), this.v(p.bx, h, k * h));
    });
    be.copy(part(w.W2, d * h, h * h), p.w2h);
    be.copy(part(w.W3, d * h, 2 * h * h), p.w3h);
    be.copy(part(w.W4, 0, h * c), p.w4);
    be.copy(part(w.W4, h * c, c), p.b4);
    for (let k = 0; k < 3; k++) {
      be.copy(src(w.gamma[k]), p.gamma[k]);
      be.copy(src(w.beta[k]), p.beta[k]);
    }
  }

  /** Packed buffers (parameters or gradients) as spec-layout tensors. */
  private unpack(q: Params): Record<string, Tensor> {
    const { d, h, c, backend: be } = this;
    const t = (data: Storage, shape: number[]) => new Tensor(data, shape, be);
    const copyOf = (src: Storage, n: number) => {
      const out = be.alloc(this.dtype, n);
      be.copy(src, out);
      return out;
    };
    const out: Record<string, Tensor> = {};
    const rows = [d + 1, d + h + 1, d + 2 * h + 1];
    for (let k = 0; k < 3; k++) {
      const W = be.alloc(this.dtype, rows[k] * h);
      be.copy2d(d, h, this.v(q.wx, (d - 1) * 3 * h + h, k * h), 3 * h, W, h);
      if (k === 1) be.copy(q.w2h, this.v(W, h * h, d * h));
      if (k === 2) be.copy(q.w3h, this.v(W, 2 * h * h, d * h));
      be.copy(this.v(q.bx, h, k * h), this.v(W, h, (rows[k] - 1) * h));
      out[`W${k + 1}`] = t(W, [rows[k], h]);
    }
    const W4 = be.alloc(this.dtype, (h + 1) * c);
    be.copy(q.w4, this.v(W4, h * c));
    be.copy(q.b4, this.v(W4, c, h * c));
    out.W4 = t(W4, [h + 1, c]);
    if (this.shape.layerNorm) {
      for (let k = 0; k < 3; k++) {
        out[`ln${k + 1}.gamma`] = t(copyOf(q.gamma[k], h), [h]);
        out[`ln${k + 1}.beta`] = t(copyOf(q.beta[k], h), [h]);
      }
    }
    return out;
  }

  weights(): Record<string, Tensor> {
    return this.unpack(this.p);
  }

  private checkBatch(x: FloatArray, y: Int32Array, B: number): void {
    if (!Number.isInteger(B) || B < 1 || B > this.maxBatch) {
      throw new RangeError(`Expected a batch of 1..${this.maxBatch} rows but received ${B}`);
    }
    if (x.length < B * this.d || y.length < B) {
      throw new RangeError(`Batch of ${B} needs ${B * this.d} inputs and ${B} labels; received ${x.length} and ${y.length}`);
    }
  }

  /** Forward pass on B rows; fills the activations and returns the mean loss and correct count. */
  private forward(x: Storage, y: Int32Array, B: number): { loss: number; correct: number } {
    const { backend: be, d, h, c, p } = this;
    const v = (buf: Storage, n: number) => this.v(buf, n);
    const [Z1, Z2, Z3] = this.Z.map((z) => v(z, B * h));
    const [H1, H2, H3] = this.H.map((z) => v(z, B * h));
    const P = v(this.P, B * 3 * h);
    const labels = y.subarray(0, B);
    // P = X·wx + bx: the X contributions (and biases) of all three layers in one GEMM.
    be.gemm(false, false, B, 3 * h, d, 1, x, d, p.wx, 3 * h, 0, P, 3 * h);
    be.binary('add', [B, 3 * h], P, [3 * h, 1], p.bx, [0, 1], P);
    const block = (k: number, out: Storage) => be.copyStrided([B, h], this.v(P, B * 3 * h - k * h, k * h), [3 * h, 1], out);
    const normRelu = (k: number, z: Storage, residual: Storage | null, out: Storage) => {
      if (this.shape.layerNorm) {
        be.layerNormForward(B, h, z, residual, p.gamma[k], p.beta[k], EPS, 'relu', out, this.mean[k], this.rstd[k]);
      } else {
        if (residual) be.axpy(1, residual, z);
        be.biasActivationForward('relu', B, h, z, null, out);
      }
    };
    block(0, Z1);
    normRelu(0, Z1, null, H1);
    block(1, Z2);
    be.gemm(false, false, B, h, h, 1, H1, h, p.w2h, h, 1, Z2, h);
    normRelu(1, Z2, H1, H2);
    block(2, Z3);
    be.gemm(false, false, B, h, h, 1, H1, h, p.w3h, h, 1, Z3, h);
    be.gemm(false, false, B, h, h, 1, H2, h, this.v(p.w3h, h * h, h * h), h, 1, Z3, h);
    normRelu(2, Z3, H2, H3);
    const Z4 = v(this.Z4, B * c);
    be.gemm(false, false, B, c, h, 1, H3, h, p.w4, c, 0, Z4, c);
    be.biasActivationForward('identity', B, c, Z4, p.b4, Z4);
    const loss = be.logSoftmaxNllForward(B, c, Z4, labels, v(this.logProbs, B * c), this.argmax.subarray(0, B));
    let correct = 0;
    for (let i = 0; i < B; i++) if (this.argmax[i] === labels[i]) correct++;
    return { loss, correct };
  }

  /**
   * Backward pass after forward(). The weight-matrix gradients come out of
   * GEMMs as `into = alpha · gradient + beta · into`: into the gradient
   * buffers (alpha 1, beta 0), or, for a plain SGD step, straight into the
   * weights (alpha -lr, beta 1), which saves writing and re-reading every
   * gradient. Each weight is read for the input gradients before it is updated.
   * Vector gradients (biases, gamma, beta) always land in the gradient buffers.
   */
  private backward(x: Storage, y: Int32Array, B: number, into: Params, alpha: number, beta: number): void {
    const { backend: be, d, h, c, p, g } = this;
    const v = (buf: Storage, n: number) => this.v(buf, n);
    const w3h2 = (q: Params) => this.v(q.w3h, h * h, h * h);
    const [Z1, Z2, Z3] = this.Z.map((z) => v(z, B * h));
    const [H1, H2, H3] = this.H.map((z) => v(z, B * h));
    const [dH1, dH2, dH3] = this.dH.map((z) => v(z, B * h));
    const [dZ1, dZ2, dZ3] = this.dZ.map((z) => v(z, B * h));
    const dZ4 = v(this.dZ4, B * c);
    be.logSoftmaxNllBackward(B, c, v(this.logProbs, B * c), y.subarray(0, B), 1, dZ4);
    be.reduce('sum', 1, B, c, dZ4, g.b4);
    be.copyStrided([c, h], p.w4, [1, c], this.w4T);
    be.gemm(false, false, B, h, c, 1, dZ4, c, this.w4T, h, 0, dH3, h);
    be.gemm(true, false, h, c, B, alpha, H3, h, dZ4, c, beta, into.w4, c);
    // Through norm + relu; dZ is also the gradient of the residual input.
    const normReluBack = (k: number, dOut: Storage, z: Storage, residual: Storage | null, out: Storage, dz: Storage) => {
      if (this.shape.layerNorm) {
        be.layerNormBackward(B, h, dOut, z, residual, this.mean[k], this.rstd[k], p.gamma[k], 'relu', out, dz, g.gamma[k], g.beta[k]);
      } else {
        be.biasActivationBackward('relu', B, h, dOut, out, dz, null);
      }
    };
    // Layer 3: Z3 = P3 + H1·w3h1 + H2·w3h2, N3 = LN(Z3 + H2).
    normReluBack(2, dH3, Z3, H2, H3, dZ3);
    be.copy(dZ3, dH2);
    be.gemm(false, true, B, h, h, 1, dZ3, h, w3h2(p), h, 1, dH2, h);
    be.gemm(false, true, B, h, h, 1, dZ3, h, this.v(p.w3h, h * h), h, 0, dH1, h);
    be.gemm(true, false, h, h, B, alpha, H1, h, dZ3, h, beta, into.w3h, h);
    be.gemm(true, false, h, h, B, alpha, H2, h, dZ3, h, beta, w3h2(into), h);
    // Layer 2: Z2 = P2 + H1·w2h, N2 = LN(Z2 + H1).
    normReluBack(1, dH2, Z2, H1, H2, dZ2);
    be.axpy(1, dZ2, dH1);
    be.gemm(false, true, B, h, h, 1, dZ2, h, p.w2h, h, 1, dH1, h);
    be.gemm(true, false, h, h, B, alpha, H1, h, dZ2, h, beta, into.w2h, h);
    // Layer 1: Z1 = P1, N1 = LN(Z1).
    normReluBack(0, dH1, Z1, null, H1, dZ1);
    // [dZ1‖dZ2‖dZ3] side by side, then the X-block and bias gradients of all three layers at once.
    const dP = v(this.dP, B * 3 * h);
    [dZ1, dZ2, dZ3].forEach((dz, k) => be.copy2d(B, h, dz, h, this.v(dP, B * 3 * h - k * h, k * h), 3 * h));
    be.gemm(true, false, d, 3 * h, B, alpha, x, d, dP, 3 * h, beta, into.wx, 3 * h);
    be.reduce('sum', 1, B, 3 * h, dP, g.bx);
  }

  /** The first B rows of a host batch as the backend's storage (an upload on device backends). */
  private input(x: FloatArray, B: number): Storage {
    const rows = x.subarray(0, B * this.d);
    return this.backend.memory === 'host' ? rows : this.backend.fromHost(rows);
  }

  trainStep(x: FloatArray, y: Int32Array, B: number, lr: number): { loss: number; correct: number } {
    this.checkBatch(x, y, B);
    const xs = this.input(x, B);
    const result = this.forward(xs, y, B);
    this.backward(xs, y, B, this.p, -lr, 1);
    // Biases, gammas and betas: one step over their shared buffer (without
    // LayerNorm the gamma and beta gradients stay zero, so they stay put).
    this.backend.axpy(-lr, this.g.vec, this.p.vec);
    return result;
  }

  evaluate(x: FloatArray, y: Int32Array, B: number): { loss: number; correct: number } {
    this.checkBatch(x, y, B);
    return this.forward(this.input(x, B), y, B);
  }

  gradients(x: FloatArray, y: Int32Array, B: number): Record<string, Tensor> {
    this.checkBatch(x, y, B);
    const xs = this.input(x, B);
    this.forward(xs, y, B);
    this.backward(xs, y, B, this.g, 1, 0);
    return this.unpack(this.g);
  }
}
