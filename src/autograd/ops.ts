/**
 * The differentiable operations and what each records. Every op has a
 * reverse-mode rule (vjp.ts, a total table: an op without one does not
 * compile) and may have a forward-mode rule (jvp.ts).
 */
import type { Activation, ConvGeometry, NormActivation, PoolWindow, Storage } from '../backend/backend';
import type { ConvActivation } from '../nn/conv';

export interface ReduceAttrs { axis: number | undefined; keepDims: boolean }

export interface OpAttrs {
  add: object; sub: object; mul: object; div: object; pow: object; maximum: object; minimum: object;
  neg: object; abs: object; sign: object; exp: object; log: object; log1p: object; sqrt: object; square: object;
  reciprocal: object; tanh: object; sigmoid: object; relu: object;
  scale: { alpha: number };
  matmul: { transposeA: boolean; transposeB: boolean };
  reshape: object;
  permute: { axes: number[] };
  slice: { axis: number; start: number; end: number };
  concat: { axis: number };
  broadcastTo: object;
  /** out.flat[j] = x.flat[index[j]] (numpy.take on the flattened input); inputs [x]. */
  take: { index: Int32Array };
  astype: object;
  sum: ReduceAttrs; max: ReduceAttrs; min: ReduceAttrs;
  /** out = act(x + bias); inputs [x, bias | null]. */
  biasActivation: { act: Activation };
  /** out = act(LN(x + residual)); inputs [x, residual | null, gamma, beta]. */
  layerNorm: { eps: number; act: NormActivation; mean: Storage; rstd: Storage };
  /** mean NLL of log-softmax(logits); inputs [logits]. */
  logSoftmaxNll: { labels: Int32Array; logProbs: Storage };
  /** act(conv(x, weight) + bias) with outChannels filters; inputs [x, weight, bias | null]. */
  conv2d: { g: ConvGeometry; outChannels: number; act: ConvActivation };
  /** maxPool2d(conv2d(...)) as one op; argmax[i] is the flat index into the (unstored) convolution output. inputs [x, weight, bias | null]. */
  conv2dMaxPool2d: { g: ConvGeometry; outChannels: number; act: ConvActivation; pool: PoolWindow; argmax: Int32Array };
  /** Window maxima; argmax[i] is the flat index into x of out[i]. inputs [x]. */
  maxPool2d: { argmax: Int32Array };
  /** log-softmax over the last axis; inputs [x]. */
  logSoftmax: object;
  /** -mean_i x[i, labels[i]]; inputs [logProbs]. */
  nll: { labels: Int32Array };
}

export type OpName = keyof OpAttrs;
