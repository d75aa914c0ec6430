/**
 * Reverse-mode rules: for each op, the gradients of its inputs given the
 * gradient g of its output (vector-Jacobian products). Rules compose Tensor
 * ops (run with recording off) or call the backend's fused backward kernels;
 * they never touch a kernel's internals.
 */
import type { Storage, UnaryOp } from '../backend/backend';
import { normalizeAxis, sameShape, type Shape } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import type { OpAttrs, OpName, ReduceAttrs } from './ops';

export type VjpRule<K extends OpName> =
  (g: Tensor, inputs: (Tensor | null)[], out: Tensor, attrs: OpAttrs[K]) => (Tensor | null)[];

/** A unary kernel applied outside the graph (masks and derivative helpers). */
export function unaryRaw(op: UnaryOp, t: Tensor): Tensor {
  const out = t.backend.alloc(t.dtype, t.size);
  t.backend.unary(op, t.storage, out);
  return new Tensor(out, t.shape, t.backend);
}

/**
 * g · act'(x) for y = act(x), from y (tanh: g·(1 − y²)), in one fused kernel
 * (the bias-activation backward without a bias): one allocation and one
 * kernel call instead of a derivative tensor and a product.
 */
export function activationGrad(act: 'tanh', g: Tensor, out: Tensor): Tensor {
  if (g.dtype !== out.dtype || g.size !== out.size) return g.mul(unaryRaw('tanhGrad', out)); // promotes, as mul does
  const n = out.ndim === 0 ? 1 : out.shape[out.ndim - 1];
  const dX = out.backend.alloc(out.dtype, out.size);
  out.backend.biasActivationBackward(act, n === 0 ? 0 : out.size / n, n, g.storage, out.storage, dX, null);
  return new Tensor(dX, out.shape, out.backend);
}

/**
 * The value of a scalar gradient where reading it is free (host backends);
 * 1 on a device backend, where the rule multiplies by g on the device
 * instead (scaledByDeviceScalar), so backward reads nothing back.
 */
function hostScalar(g: Tensor): number {
  return g.backend.memory === 'host' ? g.item() : 1;
}

function scaledByDeviceScalar(d: Tensor, g: Tensor): Tensor {
  return g.backend.memory === 'host' ? d : d.mul(g.reshape([]));
}

/** Flat indices i·c + labels[i] of each row's label in an m×c matrix. */
export function labelIndex(labels: Int32Array, c: number): Int32Array {
  return labels.map((y, i) => i * c + y);
}

/** Sums a broadcast gradient back to the shape of the operand it came from. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let r = g;
  while (r.ndim > shape.length) r = r.sum(0);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1 && r.shape[i] !== 1) r = r.sum(i, true);
  }
  return r.reshape(shape);
}

/** The gradient of a reduction, broadcast back over the reduced axis. */
function expandReduced(g: Tensor, input: Tensor, attrs: ReduceAttrs): Tensor {
  if (attrs.axis === undefined) return g.reshape(input.shape.map(() => 1)).broadcastTo(input.shape);
  const ax = normalizeAxis(attrs.axis, input.ndim);
  const kept = attrs.keepDims ? g : g.reshape(input.shape.map((d, i) => (i === ax ? 1 : d)));
  return kept.broadcastTo(input.shape);
}

/** Where x equals the reduction's result (ties share the gradient equally). */
function extremumGrad(g: Tensor, x: Tensor, out: Tensor, attrs: ReduceAttrs): Tensor {
  const hit = unaryRaw('reluMask', expandReduced(out, x, attrs).sub(x).abs()).neg().add(1);
  const count = attrs.axis === undefined ? hit.sum() : hit.sum(attrs.axis, true);
  return expandReduced(g, x, attrs).mul(hit).div(attrs.axis === undefined ? count.item() : count);
}

/** Each input's gradient summed back to its shape; null for inputs that need none. */
function unbroadcast(grads: (Tensor | null)[], inputs: (Tensor | null)[]): (Tensor | null)[] {
  return grads.map((gi, i) => (gi && inputs[i]?.requiresGrad ? sumToShape(gi, inputs[i]!.shape) : null));
}

/** 1 where a > b, 0 where a < b, 1/2 at ties. */
function greaterMask(a: Tensor, b: Tensor): Tensor {
  const diff = a.sub(b);
  return unaryRaw('reluMask', diff).add(unaryRaw('reluMask', diff.neg()).neg().add(1)).scale(0.5);
}

/** Storage for the gradients of the inputs that need one (null for the others), filled by `run`, as tensors. */
function convGradients(x: Tensor, weight: Tensor, bias: Tensor | null,
                       run: (dX: Storage | null, dWeight: Storage | null, dBias: Storage | null) => void): (Tensor | null)[] {
  const inputs = [x, weight, bias];
  const grads = inputs.map((t) => (t?.requiresGrad ? x.backend.alloc(t.dtype, t.size) : null));
  run(grads[0], grads[1], grads[2]);
  return grads.map((s, i) => (s ? new Tensor(s, inputs[i]!.shape, x.backend) : null));
}

export const vjpRules: { [K in OpName]: VjpRule<K> } = {
  add: (g, [a, b]) => unbroadcast([g, g], [a, b]),
  sub: (g, [a, b]) => unbroadcast([g, g.neg()], [a, b]),
  mul: (g, [a, b]) => unbroadcast([a!.requiresGrad ? g.mul(b!) : null, b!.requiresGrad ? g.mul(a!) : null], [a, b]),
  div: (g, [a, b]) => unbroadcast([a!.requiresGrad ? g.div(b!) : null, b!.requiresGrad ? g.mul(a!).div(b!.square()).neg() : null], [a, b]),
  pow: (g, [a, b], out) => unbroadcast([
    a!.requiresGrad ? g.mul(b!).mul(a!.pow(b!.sub(1))) : null,
    b!.requiresGrad ? g.mul(out).mul(a!.log()) : null,
  ], [a, b]),
  maximum: (g, [a, b]) => {
    const m = greaterMask(a!, b!);
    return unbroadcast([g.mul(m), g.mul(m.neg().add(1))], [a, b]);
  },
  minimum: (g, [a, b]) => {
    const m = greaterMask(b!, a!);
    return unbroadcast([g.mul(m), g.mul(m.neg().add(1))], [a, b]);
  },
  neg: (g) => [g.neg()],
  abs: (g, [a]) => [g.mul(a!.sign())],
  sign: (g) => [g.zerosLike()],
  exp: (g, _, out) => [g.mul(out)],
  log: (g, [a]) => [g.div(a!)],
  log1p: (g, [a]) => [g.div(a!.add(1))],
  sqrt: (g, _, out) => [g.div(out).scale(0.5)],
  square: (g, [a]) => [g.mul(a!).scale(2)],
  reciprocal: (g, _, out) => [g.mul(out.square()).neg()],
  tanh: (g, _, out) => [activationGrad('tanh', g, out)],
  sigmoid: (g, _, out) => [g.mul(out).mul(out.neg().add(1))],
  relu: (g, [a]) => [g.mul(unaryRaw('reluMask', a!))],
  scale: (g, _, __, { alpha }) => [g.scale(alpha)],
  matmul: (g, [a, b], _, { transposeA: ta, transposeB: tb }) => {
    const dA = a!.requiresGrad
      ? (ta ? b!.matmul(g, { transposeA: tb, transposeB: true }) : g.matmul(b!, { transposeB: !tb }))
      : null;
    const dB = b!.requiresGrad
      ? (tb ? g.matmul(a!, { transposeA: true, transposeB: ta }) : a!.matmul(g, { transposeA: !ta }))
      : null;
    // A plain matrix used against a batch gets the sum over the batch.
    const fold = (d: Tensor | null, x: Tensor) => (d && d.ndim > x.ndim ? d.reshape(-1, ...x.shape).sum(0) : d);
    return [fold(dA, a!), fold(dB, b!)];
  },
  // Also the op of to(): the gradient goes back to the input's backend.
  reshape: (g, [a]) => [g.reshape(a!.shape).to(a!.backend)],
  permute: (g, _, __, { axes }) => {
    const inverse = new Array<number>(axes.length);
    axes.forEach((a, i) => { inverse[a] = i; });
    return [g.permute(...inverse)];
  },
  slice: (g, [a], _, { axis, start, end }) => {
    const parts: Tensor[] = [];
    const piece = (len: number) => {
      const shape = [...a!.shape];
      shape[axis] = len;
      return Tensor.zeros(shape, { dtype: g.dtype, backend: g.backend });
    };
    if (start > 0) parts.push(piece(start));
    parts.push(g);
    if (end < a!.shape[axis]) parts.push(piece(a!.shape[axis] - end));
    return [parts.length === 1 ? g : Tensor.concat(parts, axis)];
  },
  concat: (g, inputs, _, { axis }) => {
    let offset = 0;
    return inputs.map((x) => {
      const len = x!.shape[axis];
      const part = x!.requiresGrad ? g.slice(axis, offset, offset + len) : null;
      offset += len;
      return part;
    });
  },
  broadcastTo: (g, [a]) => [sumToShape(g, a!.shape)],
  take: (g, [a], _, { index }) => {
    const d = a!.backend.alloc(g.dtype, a!.size);
    a!.backend.scatterAdd(g.storage, index, d);
    return [new Tensor(d, a!.shape, a!.backend)];
  },
  astype: (g, [a]) => [g.astype(a!.dtype)],
  sum: (g, [a], _, attrs) => [expandReduced(g, a!, attrs)],
  max: (g, [a], out, attrs) => [extremumGrad(g, a!, out, attrs)],
  min: (g, [a], out, attrs) => [extremumGrad(g, a!, out, attrs)],
  biasActivation: (g, [x, bias], out, { act }) => {
    const n = x!.shape[x!.ndim - 1];
    const m = x!.size / n;
    const be = x!.backend;
    const dX = be.alloc(x!.dtype, x!.size);
    const dBias = bias?.requiresGrad ? be.alloc(x!.dtype, n) : null;
    be.biasActivationBackward(act, m, n, g.storage, out.storage, dX, dBias);
    // The bias may be [n] or e.g. [1, n]: its gradient takes the bias's own shape.
    return [new Tensor(dX, x!.shape, x!.backend), dBias ? new Tensor(dBias, bias!.shape, x!.backend) : null];
  },
  layerNorm: (g, [x, residual, gamma, beta], out, { act, mean, rstd }) => {
    const n = x!.shape[x!.ndim - 1];
    const m = x!.size / n;
    const be = x!.backend;
    const dX = be.alloc(x!.dtype, x!.size);
    const dGamma = gamma!.requiresGrad ? be.alloc(x!.dtype, n) : null;
    const dBeta = beta!.requiresGrad ? be.alloc(x!.dtype, n) : null;
    be.layerNormBackward(m, n, g.storage, x!.storage, residual?.storage ?? null, mean, rstd, gamma!.storage, act,
      out.storage, dX, dGamma, dBeta);
    const dx = new Tensor(dX, x!.shape, x!.backend);
    return [dx, residual ? dx : null,
      dGamma ? new Tensor(dGamma, gamma!.shape, x!.backend) : null, dBeta ? new Tensor(dBeta, beta!.shape, x!.backend) : null];
  },
  logSoftmaxNll: (g, [logits], _, { labels, logProbs }) => {
    const [m, c] = logits!.shape;
    const be = logits!.backend;
    const d = be.alloc(logits!.dtype, m * c);
    be.logSoftmaxNllBackward(m, c, logProbs, labels, hostScalar(g), d);
    return [scaledByDeviceScalar(new Tensor(d, logits!.shape, be), g)];
  },
  logSoftmax: (g, _, out) => [g.sub(out.exp().mul(g.sum(-1, true)))],
  conv2d: (g, [x, weight, bias], out, { g: geometry, outChannels, act }) => convGradients(x!, weight!, bias, (dX, dWeight, dBias) =>
    x!.backend.conv2dBackward(geometry, outChannels, act, x!.storage, g.storage, out.storage, weight!.storage, dX, dWeight, dBias)),
  conv2dMaxPool2d: (g, [x, weight, bias], out, { g: geometry, outChannels, act, pool, argmax }) => convGradients(x!, weight!, bias, (dX, dWeight, dBias) =>
    x!.backend.conv2dPoolBackward(geometry, outChannels, act, pool, x!.storage, g.storage, out.storage, argmax, weight!.storage, dX, dWeight, dBias)),
  maxPool2d: (g, [x], _, { argmax }) => {
    const d = x!.backend.alloc(x!.dtype, x!.size);
    x!.backend.scatterAdd(g.storage, argmax, d);
    return [new Tensor(d, x!.shape, x!.backend)];
  },
  nll: (g, [logProbs], _, { labels }) => {
    const [m, c] = logProbs!.shape;
    // -g/m scattered to each row's label column.
    const be = logProbs!.backend;
    const d = be.alloc(logProbs!.dtype, m * c);
    const picks = be.alloc(logProbs!.dtype, m);
    be.fill(picks, -hostScalar(g) / m);
    be.scatterAdd(picks, labelIndex(labels, c), d);
    return [scaledByDeviceScalar(new Tensor(d, logProbs!.shape, be), g)];
  },
};
