/**
 * Finite-difference checks of linear_t's backward (batch 1, float64): for
 * an output index k, backward with the one-hot dh^{l+1} = e_k gives
 * ∂h_k/∂W, ∂h_k/∂b and ∂h_k/∂h; each checked entry is perturbed by a
 * Gaussian ε and compared with (h_k(+ε) − h_k(−ε)) / 2ε.
 */
import type { Generator } from '../../random';
import { linear_t } from './layers';

export interface GradCheckRow {
  param: 'dW' | 'db' | 'dh';
  k: number;
  /** Flat index into W (i·a + j), b or h. */
  index: number;
  label: string;
  analytic: number;
  numeric: number;
  relError: number;
}

/** |a − n| / max(|a|, |n|), 0 when both are 0. */
export function relativeError(a: number, n: number): number {
  const d = Math.max(Math.abs(a), Math.abs(n));
  return d === 0 ? 0 : Math.abs(a - n) / d;
}

export interface GradCheckOptions {
  inputs?: number;
  outputs?: number;
  /** Output indices k to check (default 5). */
  outputsChecked?: number;
  /** Random entries per k and per gradient (default 10). */
  entries?: number;
  /** Standard deviation of the Gaussian perturbation (default 1e-3). */
  epsilonScale?: number;
}

/**
 * Runs the check on a fresh linear_t (uniform [0,1] weights) and a random
 * input h ∈ [0,1]^a. For dW, half the entries lie in row k (where the
 * gradient is h_j) and half anywhere (mostly exact zeros).
 */
export function checkLinearGradients(gen: Generator, options: GradCheckOptions = {}): GradCheckRow[] {
  const a = options.inputs ?? 784;
  const c = options.outputs ?? 10;
  const ks = Math.min(options.outputsChecked ?? 5, c);
  const entries = options.entries ?? 10;
  const scale = options.epsilonScale ?? 1e-3;
  const layer = new linear_t(a, c, gen, 'float64');
  const h = new Float64Array(a);
  gen.fillUniform(h, 0, 1);
  const outK = (k: number): number => layer.forward(h, 1)[k];
  const kOrder = gen.permutation(c).slice(0, ks);
  const rows: GradCheckRow[] = [];
  const epsilon = (): number => {
    let e = 0;
    while (Math.abs(e) < 0.1 * scale) e = gen.normal(0, scale);
    return e;
  };
  const numeric = (arr: Float64Array, idx: number, k: number): number => {
    const e = epsilon();
    const saved = arr[idx];
    arr[idx] = saved + e;
    const plus = outK(k);
    arr[idx] = saved - e;
    const minus = outK(k);
    arr[idx] = saved;
    return (plus - minus) / (2 * e);
  };
  for (const k of kOrder) {
    layer.zero_grad();
    layer.forward(h, 1);
    const onehot = new Float64Array(c);
    onehot[k] = 1;
    const dh = layer.backward(onehot);
    const dw = Float64Array.from(layer.dw);
    const db = Float64Array.from(layer.db);
    const w = layer.w as Float64Array;
    const b = layer.b as Float64Array;
    for (let e = 0; e < entries; e++) {
      const i = e < entries / 2 ? k : gen.int(c);
      const j = gen.int(a);
      const idx = i * a + j;
      const n = numeric(w, idx, k);
      rows.push({ param: 'dW', k, index: idx, label: `W[${i},${j}]`, analytic: dw[idx], numeric: n, relError: relativeError(dw[idx], n) });
    }
    for (let e = 0; e < entries; e++) {
      const i = e === 0 ? k : gen.int(c);
      const n = numeric(b, i, k);
      rows.push({ param: 'db', k, index: i, label: `b[${i}]`, analytic: db[i], numeric: n, relError: relativeError(db[i], n) });
    }
    for (let e = 0; e < entries; e++) {
      const j = gen.int(a);
      const n = numeric(h, j, k);
      rows.push({ param: 'dh', k, index: j, label: `h[${j}]`, analytic: dh[j], numeric: n, relError: relativeError(dh[j], n) });
    }
  }
  return rows;
}

/** The largest relative error per gradient. */
export function maxRelErrors(rows: readonly GradCheckRow[]): Record<'dW' | 'db' | 'dh', number> {
  const out = { dW: 0, db: 0, dh: 0 };
  for (const r of rows) out[r.param] = Math.max(out[r.param], r.relError);
  return out;
}
