/**
 * The "network from scratch" layers: each keeps what its backward needs and
 * computes its own gradients with plain loops over typed arrays (no
 * autograd). Shapes are row-major: a minibatch h is ℓ×a, W is c×a.
 */
import type { Backend } from '../../backend/backend';
import type { Generator } from '../../random';

export type Floats = Float32Array | Float64Array;
export type FloatDType = 'float32' | 'float64';

export function allocateFloats(dtype: FloatDType, n: number): Floats {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/**
 * h^{l+1} = h^l Wᵀ + bᵀ, with W (c×a) and b (c) uniform in [0, 1] (the
 * handout's all-positive start). The three products run as plain loops, or
 * on a backend's gemm kernel when one is given (same results up to rounding).
 */
export class linear_t {
  w: Floats;
  b: Floats;
  dw: Floats;
  db: Floats;
  /** The cached input of the last forward (ℓ×a). */
  hl: Floats | null = null;
  private rows = 0;

  constructor(readonly inputs: number, readonly outputs: number, gen: Generator, readonly dtype: FloatDType = 'float64',
              readonly kernels: Backend | null = null) {
    this.w = allocateFloats(dtype, outputs * inputs);
    this.b = allocateFloats(dtype, outputs);
    gen.fillUniform(this.w, 0, 1);
    gen.fillUniform(this.b, 0, 1);
    this.dw = allocateFloats(dtype, outputs * inputs);
    this.db = allocateFloats(dtype, outputs);
  }

  /** h (ℓ×a) → h Wᵀ + bᵀ (ℓ×c); caches h. */
  forward(h: Floats, rows: number): Floats {
    const a = this.inputs;
    const c = this.outputs;
    if (h.length !== rows * a) throw new RangeError(`linear_t.forward: ${h.length} values are not ${rows}×${a}`);
    const out = allocateFloats(this.dtype, rows * c);
    const w = this.w;
    this.hl = h;
    this.rows = rows;
    if (this.kernels) {
      this.kernels.gemm(false, true, rows, c, a, 1, h, a, w, a, 0, out, c);
      for (let n = 0; n < rows; n++) for (let i = 0; i < c; i++) out[n * c + i] += this.b[i];
      return out;
    }
    for (let n = 0; n < rows; n++) {
      const ho = n * a;
      for (let i = 0; i < c; i++) {
        const wo = i * a;
        let s = 0;
        for (let j = 0; j < a; j++) s += h[ho + j] * w[wo + j];
        out[n * c + i] = s + this.b[i];
      }
    }
    return out;
  }

  /** Takes dh^{l+1} (ℓ×c); sets dw = dhᵀ h and db = Σ_n dh, returns dh^l = dh W (ℓ×a). */
  backward(dout: Floats): Floats {
    const h = this.hl;
    if (!h) throw new Error('linear_t.backward before forward');
    const a = this.inputs;
    const c = this.outputs;
    const rows = this.rows;
    const w = this.w;
    const dw = this.dw;
    const db = this.db;
    dw.fill(0);
    db.fill(0);
    const dh = allocateFloats(this.dtype, rows * a);
    if (this.kernels) {
      this.kernels.gemm(true, false, c, a, rows, 1, dout, c, h, a, 0, dw, a);
      this.kernels.gemm(false, false, rows, a, c, 1, dout, c, w, a, 0, dh, a);
      for (let n = 0; n < rows; n++) for (let i = 0; i < c; i++) db[i] += dout[n * c + i];
      return dh;
    }
    for (let n = 0; n < rows; n++) {
      const ho = n * a;
      for (let i = 0; i < c; i++) {
        const g = dout[n * c + i];
        if (g === 0) continue;
        db[i] += g;
        const wo = i * a;
        for (let j = 0; j < a; j++) {
          dw[wo + j] += g * h[ho + j];
          dh[ho + j] += g * w[wo + j];
        }
      }
    }
    return dh;
  }

  zero_grad(): void {
    this.dw.fill(0);
    this.db.fill(0);
  }
}

/** h^{l+1} = max(0, h^l), element-wise. */
export class relu_t {
  hl: Floats | null = null;

  forward(h: Floats): Floats {
    const out = h.slice();
    for (let i = 0; i < out.length; i++) if (!(out[i] > 0)) out[i] = 0;
    this.hl = h;
    return out;
  }

  backward(dout: Floats): Floats {
    const h = this.hl;
    if (!h) throw new Error('relu_t.backward before forward');
    const dh = dout.slice();
    for (let i = 0; i < dh.length; i++) if (!(h[i] > 0)) dh[i] = 0;
    return dh;
  }

  zero_grad(): void {}
}

/** Index of the largest of row n's c values (the first on ties). */
export function rowArgmax(x: Floats, n: number, c: number): number {
  let best = 0;
  for (let i = 1; i < c; i++) if (x[n * c + i] > x[n * c + best]) best = i;
  return best;
}

/**
 * Softmax of the logits followed by the mean negative log-probability of
 * the labels; forward also returns the error rate (argmax ≠ label).
 */
export class softmax_cross_entropy_t {
  y: Int32Array | null = null;
  prob: Floats | null = null;
  private rows = 0;

  constructor(readonly classes: number) {}

  forward(h: Floats, y: Int32Array, rows = y.length): { loss: number; error: number } {
    const c = this.classes;
    if (h.length !== rows * c) throw new RangeError(`softmax_cross_entropy_t.forward: ${h.length} values are not ${rows}×${c}`);
    const prob = h.slice();
    let loss = 0;
    let wrong = 0;
    for (let n = 0; n < rows; n++) {
      const o = n * c;
      let m = -Infinity;
      for (let i = 0; i < c; i++) m = Math.max(m, h[o + i]);
      let z = 0;
      for (let i = 0; i < c; i++) z += Math.exp(h[o + i] - m);
      const logZ = m + Math.log(z);
      for (let i = 0; i < c; i++) prob[o + i] = Math.exp(h[o + i] - logZ);
      loss += logZ - h[o + y[n]];
      if (rowArgmax(h, n, c) !== y[n]) wrong++;
    }
    this.prob = prob;
    this.y = y;
    this.rows = rows;
    return { loss: loss / rows, error: wrong / rows };
  }

  /** d(mean loss)/dh = (softmax(h) − onehot(y)) / ℓ. */
  backward(): Floats {
    const prob = this.prob;
    const y = this.y;
    if (!prob || !y) throw new Error('softmax_cross_entropy_t.backward before forward');
    const c = this.classes;
    const dh = prob.slice();
    for (let n = 0; n < this.rows; n++) {
      dh[n * c + y[n]] -= 1;
      for (let i = 0; i < c; i++) dh[n * c + i] /= this.rows;
    }
    return dh;
  }

  zero_grad(): void {
    this.y = null;
    this.prob = null;
  }
}
