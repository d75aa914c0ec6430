/**
 * Jacobians of a tensor function, by either mode of differentiation (as
 * torch.autograd.functional.jacobian, with jvp-based forward mode too).
 *
 * For y = fn(x) the Jacobian has shape [...y.shape, ...x.shape]: entry
 * (i, j) of the flattened matrix is ∂y_i/∂x_j.
 *
 * - reverse: one vector-Jacobian product per output entry (the rows of J),
 *   all through the one graph recorded by a single forward pass;
 * - forward: one Jacobian-vector product (dual numbers, `jvp`) per input
 *   entry (the columns of J);
 * - batched (either mode): all products in one pass, by evaluating fn on a
 *   batch of copies of x (a new leading axis): reverse seeds the P copies'
 *   outputs with the identity, forward gives the D copies the identity as
 *   tangents. This needs fn to treat a leading axis as a batch of
 *   independent inputs (row-wise code such as `x.matmul(W, { transposeB:
 *   true })`), where torch uses vmap.
 */
import { Tensor } from '../tensor/tensor';
import { grad } from './graph';
import { jvp } from './jvp';
import { noGrad } from './mode';

export interface JacobianOptions {
  /** 'reverse' (default) or 'forward'. */
  mode?: 'reverse' | 'forward';
  /** Every product in one pass over a batch of copies of x (see the module comment). */
  batched?: boolean;
}

function identity(n: number, like: Tensor): Tensor {
  return Tensor.eye(n, { dtype: like.dtype, backend: like.backend });
}

export function jacobian(fn: (x: Tensor) => Tensor, x: Tensor, options: JacobianOptions = {}): Tensor {
  const mode = options.mode ?? 'reverse';
  if (mode !== 'reverse' && mode !== 'forward') throw new RangeError(`jacobian: mode must be 'reverse' or 'forward', not ${String(mode)}`);
  const d = x.size;
  const input = x.detach();
  if (mode === 'forward') {
    if (options.batched) {
      // fn over D copies of x, copy j carrying the tangent e_j: row j of the result's tangent is column j of J.
      const copies = input.reshape(1, d).broadcastTo([d, d]).reshape([d, ...x.shape]);
      const [out, tangent] = jvp(fn, [copies], [identity(d, x)]);
      const p = out.size / d;
      return noGrad(() => tangent.reshape(d, p).transpose().reshape([...out.shape.slice(1), ...x.shape]));
    }
    const eye = identity(d, x);
    const columns: Tensor[] = [];
    let outShape: readonly number[] = [];
    for (let j = 0; j < d; j++) {
      const [out, tangent] = jvp(fn, [input], [eye.sliceRows(j, j + 1)]);
      outShape = out.shape;
      columns.push(tangent.reshape(-1, 1));
    }
    return noGrad(() => Tensor.concat(columns, 1).reshape([...outShape, ...x.shape]));
  }
  if (options.batched) {
    // fn over P copies of x, the outputs seeded with the identity: the gradient of copy i is row i of J.
    const outShape = noGrad(() => fn(input)).shape;
    const p = outShape.reduce((a, b) => a * b, 1);
    const copies = noGrad(() => input.reshape(1, d).broadcastTo([p, d]).reshape([p, ...x.shape])).requiresGrad_();
    const out = fn(copies);
    const [rows] = grad(out, [copies], identity(p, x).reshape(out.shape));
    return rows.detach().reshape([...outShape, ...x.shape]);
  }
  const leaf = input.requiresGrad_();
  const out = fn(leaf);
  const p = out.size;
  const seed = identity(p, x);
  const rows: Tensor[] = [];
  for (let i = 0; i < p; i++) rows.push(grad(out, [leaf], seed.sliceRows(i, i + 1).reshape(out.shape))[0].reshape(1, d));
  return noGrad(() => Tensor.concat(rows, 0).reshape([...out.shape, ...x.shape]));
}
