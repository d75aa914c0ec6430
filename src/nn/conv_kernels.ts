/**
 * 2-D convolution on storage, as im2col + GEMM (forward) and GEMM + col2im
 * (backward), over any backend's kernels. Shared by the conv2d op (forward)
 * and its reverse-mode rule (backward).
 *
 * x is NCHW, weight O×C×kH×kW (PyTorch's layout, read as the O×(C·kH·kW)
 * matrix W), out N×O×outH×outW. With cols_n the (C·kH·kW)×L im2col matrix of
 * image n (L = outH·outW):
 *   forward   out_n = act(W · cols_n + b ⊗ 1)
 *   backward  dZ = dOut ⊙ act'(out),  dW = Σ_n dZ_n · cols_nᵀ,
 *             dB = Σ_{n,l} dZ,  dCols_n = Wᵀ · dZ_n,  dX = col2im(dCols).
 * The GEMMs run image by image on views (each a full O×L×(C·kH·kW) product),
 * so no transposes are copied.
 */
import type { Backend, ConvGeometry, DType, Storage } from '../backend/backend';
import { convOutputSize } from '../backend/backend';

export type ConvActivation = 'identity' | 'relu';

/** Everything the kernels need to know about one convolution. */
export interface ConvPlan {
  g: ConvGeometry;
  outChannels: number;
  outH: number;
  outW: number;
  /** C·kH·kW: the rows of each image's column matrix. */
  rows: number;
  /** outH·outW: its columns. */
  positions: number;
}

export function convPlan(g: ConvGeometry, outChannels: number): ConvPlan {
  const { outH, outW } = convOutputSize(g);
  return { g, outChannels, outH, outW, rows: g.channels * g.kernelH * g.kernelW, positions: outH * outW };
}

/** Elements of the im2col buffer of a plan (batch × rows × positions). */
export function colsLength(p: ConvPlan): number {
  return p.g.batch * p.rows * p.positions;
}

/** out = act(W · cols + bias) image by image; cols receives the im2col of x (kept for backward). */
export function convForward(be: Backend, p: ConvPlan, x: Storage, weight: Storage, bias: Storage | null,
                            act: ConvActivation, cols: Storage, out: Storage): void {
  const { g, outChannels: O, rows: R, positions: L } = p;
  be.im2col(g, x, cols);
  if (bias) be.copyStrided([g.batch, O, L], bias, [0, 1, 0], out); // the bias of channel o in every position
  for (let n = 0; n < g.batch; n++) {
    be.gemm(false, false, O, L, R, 1, weight, R, be.view(cols, n * R * L, R * L), L,
      bias ? 1 : 0, be.view(out, n * O * L, O * L), L);
  }
  if (act === 'relu') be.unary('relu', out, out);
}

export interface ConvGradients { dX: Storage | null; dWeight: Storage | null; dBias: Storage | null }

/**
 * The gradients of convForward's inputs from dOut (and the forward's out and
 * cols); only those asked for are computed. `scratch` (colsLength elements)
 * holds dCols when dX is wanted.
 */
export function convBackward(be: Backend, p: ConvPlan, dtype: DType, dOut: Storage, out: Storage, act: ConvActivation,
                             weight: Storage, cols: Storage, want: { x: boolean; weight: boolean; bias: boolean },
                             scratch: () => Storage): ConvGradients {
  const { g, outChannels: O, rows: R, positions: L } = p;
  const N = g.batch;
  let dZ = dOut;
  if (act === 'relu') {
    dZ = be.alloc(dtype, N * O * L);
    be.biasActivationBackward('relu', N * O, L, dOut, out, dZ, null);
  }
  let dBias: Storage | null = null;
  if (want.bias) {
    const perImage = be.alloc(dtype, N * O);
    be.reduce('sum', N * O, L, 1, dZ, perImage);
    dBias = be.alloc(dtype, O);
    be.reduce('sum', 1, N, O, perImage, dBias);
  }
  let dWeight: Storage | null = null;
  if (want.weight) {
    dWeight = be.alloc(dtype, O * R);
    for (let n = 0; n < N; n++) {
      be.gemm(false, true, O, R, L, 1, be.view(dZ, n * O * L, O * L), L, be.view(cols, n * R * L, R * L), L,
        n === 0 ? 0 : 1, dWeight, R);
    }
  }
  let dX: Storage | null = null;
  if (want.x) {
    const dCols = scratch();
    for (let n = 0; n < N; n++) {
      be.gemm(true, false, R, L, O, 1, weight, R, be.view(dZ, n * O * L, O * L), L, 0, be.view(dCols, n * R * L, R * L), L);
    }
    dX = be.alloc(dtype, N * g.channels * g.height * g.width);
    be.col2im(g, dCols, dX);
  }
  return { dX, dWeight, dBias };
}
