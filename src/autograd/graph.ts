/**
 * The reverse-mode graph: each result of a recorded op points at the op, its
 * inputs and what the derivative rule needs. backward() walks it in reverse
 * topological order and accumulates gradients into the leaves' `.grad`
 * (and into non-leaves marked with retainGrad()).
 */
import { hostArraysOverlap, isHostArray } from '../backend/backend';
import { ShapeError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import { jvpRules } from './jvp';
import { isGradEnabled, noGrad, tangentsActive, withoutTangents } from './mode';
import type { OpAttrs, OpName } from './ops';
import { vjpRules } from './vjp';

export interface GradNode<K extends OpName = OpName> {
  op: K;
  inputs: (Tensor | null)[];
  attrs: OpAttrs[K];
}

/**
 * Called by every op with its result: links the result into the graph when
 * an input requires grad (and recording is on), and computes its tangent
 * when an input carries one (forward mode).
 */
export function record<K extends OpName>(op: K, inputs: (Tensor | null)[], out: Tensor, attrs: OpAttrs[K]): Tensor {
  if (isGradEnabled() && inputs.some((t) => t?.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs, attrs } as GradNode;
  }
  if (tangentsActive() && inputs.some((t) => t?.tangent)) {
    const rule = jvpRules[op];
    if (!rule) throw new Error(`Forward mode has no rule for the op "${op}"`);
    out.tangent = noGrad(() => withoutTangents(() => rule(inputs, out, attrs as never)));
  }
  return out;
}

/** Tensors reachable from root through gradFn, inputs before the ops that use them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const input of t.gradFn?.inputs ?? []) {
      if (input?.requiresGrad && !seen.has(input)) stack.push([input, false]);
    }
  }
  return order;
}

/** Gradients of root with respect to every tensor of its graph that requires grad. */
export function computeGradients(root: Tensor, seed?: Tensor): Map<Tensor, Tensor> {
  if (!root.requiresGrad) {
    throw new Error('backward: the tensor does not require grad (no input of its graph has requiresGrad)');
  }
  const start = seed ?? (root.size === 1 ? root.onesLike() : null);
  if (!start) throw new ShapeError(`backward of a non-scalar (shape [${root.shape.join(', ')}]) needs a gradient argument`);
  if (start.size !== root.size) throw new ShapeError('backward: the gradient must have the shape of the tensor');
  const grads = new Map<Tensor, Tensor>([[root, start.reshape(root.shape)]]);
  noGrad(() => {
    const order = topologicalOrder(root);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const node = t.gradFn;
      const g = grads.get(t);
      if (!node || !g) continue;
      const inputGrads = vjpRules[node.op](g, node.inputs, t, node.attrs as never);
      node.inputs.forEach((input, j) => {
        const gi = inputGrads[j];
        if (!input?.requiresGrad || !gi) return;
        const previous = grads.get(input);
        grads.set(input, previous ? previous.add(gi) : gi);
      });
    }
  });
  return grads;
}

/**
 * Whether two tensors' storages may have memory in common: overlapping byte
 * ranges of one buffer on the host (small arrays share slabs, see
 * allocate()), the same allocation on a device.
 */
function sharesMemory(a: Tensor, b: Tensor): boolean {
  const x = a.storage, y = b.storage;
  if (isHostArray(x)) return isHostArray(y) && hostArraysOverlap(x, y);
  return !isHostArray(y) && x.handle === y.handle;
}

/** Accumulates d root / d leaf into every leaf's `.grad` (and into the `.grad` of non-leaves that called retainGrad()). */
export function backward(root: Tensor, seed?: Tensor): void {
  // Gradients may share storage: one tensor reaching several leaves (both inputs of add), a reshape or
  // slice view of another gradient, or the caller's seed. Each leaf's .grad gets storage of its own, so
  // an in-place edit of one (e.g. clipping) changes no other gradient and not the seed.
  const taken: Tensor[] = seed ? [seed] : [];
  for (const [t, g] of computeGradients(root, seed)) {
    if (t.gradFn && !t.retainsGrad) continue;
    if (t.grad) {
      t.grad = noGrad(() => t.grad!.add(g));
    } else {
      t.grad = taken.some((other) => sharesMemory(other, g)) || sharesMemory(g, t) ? noGrad(() => g.clone()) : g;
      taken.push(t.grad);
    }
  }
}

/** d output / d input for each input (zeros where an input does not affect output); `.grad` is untouched. */
export function grad(output: Tensor, inputs: readonly Tensor[], seed?: Tensor): Tensor[] {
  const grads = computeGradients(output, seed);
  return inputs.map((x) => grads.get(x) ?? x.zerosLike());
}
