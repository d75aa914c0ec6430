/**
 * Forward-mode rules (Jacobian-vector products): the tangent of an op's
 * output from its inputs' tangents, as dual numbers do. A tangent that is
 * absent is zero. Ops without a rule here raise a clear error in forward mode.
 */
import { sameShape } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import { isGradEnabled, noGrad } from './mode';
import type { OpAttrs, OpName } from './ops';
import { activationGrad, unaryRaw } from './vjp';

export type JvpRule<K extends OpName> = (inputs: (Tensor | null)[], out: Tensor, attrs: OpAttrs[K]) => Tensor;


/** The tangent of x, or zeros shaped like x. */
function tan(x: Tensor | null | undefined): Tensor | null {
  return x?.tangent ?? null;
}

/** Sum of the non-zero terms, broadcast to the output's shape. */
function sumTerms(out: Tensor, ...terms: (Tensor | null)[]): Tensor {
  let total: Tensor | null = null;
  for (const t of terms) if (t) total = total ? total.add(t) : t;
  if (!total) return out.zerosLike();
  if (sameShape(total.shape, out.shape)) return total;
  return total.size === out.size ? total.reshape(out.shape) : total.broadcastTo(out.shape);
}

/** Applies a linear op to the tangent of its single input. */
const linear = <K extends OpName>(apply: (t: Tensor, attrs: OpAttrs[K], x: Tensor) => Tensor): JvpRule<K> =>
  ([x], out, attrs) => (tan(x) ? apply(tan(x)!, attrs, x!) : out.zerosLike());

export const jvpRules: { [K in OpName]?: JvpRule<K> } = {
  add: ([a, b], out) => sumTerms(out, tan(a), tan(b)),
  sub: ([a, b], out) => sumTerms(out, tan(a), tan(b)?.neg() ?? null),
  mul: ([a, b], out) => sumTerms(out, tan(a)?.mul(b!) ?? null, tan(b)?.mul(a!) ?? null),
  div: ([a, b], out) => sumTerms(out, tan(a)?.div(b!) ?? null, tan(b)?.mul(out).div(b!).neg() ?? null),
  neg: linear((t) => t.neg()),
  scale: linear((t, { alpha }) => t.scale(alpha)),
  exp: ([x], out) => (tan(x) ? tan(x)!.mul(out) : out.zerosLike()),
  log: ([x], out) => (tan(x) ? tan(x)!.div(x!) : out.zerosLike()),
  log1p: ([x], out) => (tan(x) ? tan(x)!.div(x!.add(1)) : out.zerosLike()),
  square: ([x], out) => (tan(x) ? tan(x)!.mul(x!).scale(2) : out.zerosLike()),
  sqrt: ([x], out) => (tan(x) ? tan(x)!.div(out).scale(0.5) : out.zerosLike()),
  tanh: ([x], out) => (tan(x) ? activationGrad('tanh', tan(x)!, out) : out.zerosLike()),
  sigmoid: ([x], out) => (tan(x) ? tan(x)!.mul(out).mul(out.neg().add(1)) : out.zerosLike()),
  relu: ([x], out) => (tan(x) ? tan(x)!.mul(unaryRaw('reluMask', x!)) : out.zerosLike()),
  abs: ([x], out) => (tan(x) ? tan(x)!.mul(x!.sign()) : out.zerosLike()),
  matmul: ([a, b], out, opts) => sumTerms(out,
    tan(a) ? tan(a)!.matmul(b!, opts) : null,
    tan(b) ? a!.matmul(tan(b)!, opts) : null),
  // Tangents take the output's shape (x is the input) and, for to(), its backend.
  reshape: ([x], out) => (tan(x) ? tan(x)!.reshape(out.shape).to(out.backend) : out.zerosLike()),
  permute: linear((t, { axes }) => t.permute(...axes)),
  slice: linear((t, { axis, start, end }) => t.slice(axis, start, end)),
  concat: (inputs, out, { axis }) => Tensor.concat(inputs.map((x) => tan(x) ?? x!.zerosLike()), axis),
  take: ([x], out, { index }) => (tan(x) ? tan(x)!.take(index, out.shape) : out.zerosLike()),
  broadcastTo: ([x], out) => (tan(x) ? tan(x)!.broadcastTo(out.shape) : out.zerosLike()),
  astype: ([x], out) => (tan(x) ? tan(x)!.astype(out.dtype) : out.zerosLike()),
  sum: linear((t, { axis, keepDims }) => t.sum(axis, keepDims)),
  biasActivation: ([x, bias], out, { act }) => {
    const pre = sumTerms(x!, tan(x), tan(bias));
    if (act === 'identity') return pre;
    return pre.mul(unaryRaw(act === 'relu' ? 'reluMask' : 'tanhGrad', out));
  },
};

/**
 * Forward-mode derivative: runs fn on primals carrying the given tangents and
 * returns its output with the output's tangent (the Jacobian-vector product).
 * Recording for reverse mode is off meanwhile.
 */
export function jvp(fn: (...xs: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor] {
  if (primals.length !== tangents.length) {
    throw new RangeError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  }
  const duals = primals.map((p, i) => {
    const t = tangents[i];
    if (t.size !== p.size) throw new RangeError(`jvp: tangent ${i} has ${t.size} elements, its primal ${p.size}`);
    const d = p.detach();
    d.tangent = t.reshape(p.shape);
    return d;
  });
  const out = isGradEnabled() ? noGrad(() => fn(...duals)) : fn(...duals);
  return [out.detach(), out.tangent ?? out.zerosLike()];
}
