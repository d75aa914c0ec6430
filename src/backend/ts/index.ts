/**
 * The pure-TypeScript reference backend: readable kernels in float32 and
 * float64 that every native backend is tested against. One file per kernel
 * family; this file only wires them together.
 *
 * Conventions shared by every kernel here (the parts of the contract the
 * interface leaves open are documented in each file's header):
 * - arguments are validated cheaply (never a pass over float data) with the
 *   helpers in ../check: TypeError for wrong types and mixed dtypes,
 *   RangeError for bad sizes, unknown op names and out-of-range labels, and
 *   ShapeError (a RangeError) for arrays too short for their shapes;
 * - arithmetic is done in JS doubles; float32 outputs are rounded once, when
 *   stored;
 * - the backend is synchronous and keeps a little module-level scratch (gemm's
 *   packing buffers), which is safe because JS runs one kernel at a time.
 */
import type { Backend } from '../backend';
import { composedAdamStep } from '../adam_composed';
import { composedConv2d, type FusedConv } from '../conv_composed';
import { hostMemory } from '../host';
import { biasActivationBackward, biasActivationForward } from './activations';
import { axpy, binary, copyStrided, scale, unary } from './elementwise';
import { gather, scatterAdd } from './gather';
import { gemm } from './gemm';
import { col2im, im2col } from './im2col';
import { maxPool2d } from './pooling';
import { layerNormBackward, layerNormForward } from './layernorm';
import { lstsq, solve, svd, symEig } from './linalg';
import { argmax, reduce } from './reduce';
import { logSoftmaxNllBackward, logSoftmaxNllForward } from './softmax_xent';
import { svcSolve } from './svm';

const kernels: Omit<Backend, FusedConv | 'adamStep'> = {
  name: 'ts',
  ...hostMemory,
  gemm,
  biasActivationForward,
  biasActivationBackward,
  layerNormForward,
  layerNormBackward,
  logSoftmaxNllForward,
  logSoftmaxNllBackward,
  im2col,
  col2im,
  maxPool2d,
  binary,
  unary,
  scale,
  axpy,
  copyStrided,
  reduce,
  argmax,
  gather,
  scatterAdd,
  symEig,
  svd,
  solve,
  lstsq,
  svcSolve,
};

const withAdam = { ...kernels, adamStep: composedAdamStep(kernels) };

export const tsBackend: Backend = { ...withAdam, ...composedConv2d(withAdam) };
