/** A gradcheck of a Module with respect to its input and every parameter. */
import type { ExecutionContext } from 'ava';
import type { Module } from '../../src/nn';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';
import { assertGradcheck, rnd } from '../autograd/helpers';

/**
 * Gradcheck of head(module.forward(x)) with respect to x and every parameter of the module.
 * gradcheck works on its own leaf copies of the inputs; the module's parameter fields are pointed
 * at those leaves while fn runs (the fields are named as the parameters are registered).
 */
export function moduleGradcheck(t: ExecutionContext, module: Module, x: Tensor, head: (y: Tensor) => Tensor = (y) => y,
                                forward: (m: Module, x: Tensor) => Tensor = (m, v) => m.forward(v)): void {
  const named = module.namedParameters();
  const owners = new Map(module.namedModules());
  const slot = (fullName: string) => {
    const dot = fullName.lastIndexOf('.');
    const owner = owners.get(dot < 0 ? '' : fullName.slice(0, dot))!;
    return { owner: owner as unknown as Record<string, Tensor>, field: fullName.slice(dot + 1) };
  };
  for (const [n, p] of named) {
    const { owner, field } = slot(n);
    t.is(owner[field], p, `parameter ${n} is the field ${field} of its module`);
  }
  const fn = (xx: Tensor, ...ps: Tensor[]) => {
    const saved = named.map(([n]) => { const s = slot(n); return [s, s.owner[s.field]] as const; });
    named.forEach(([n], i) => { const s = slot(n); s.owner[s.field] = ps[i]; });
    try {
      return head(forward(module, xx));
    } finally {
      for (const [s, v] of saved) s.owner[s.field] = v;
    }
  };
  // Parameters require grad, so gradcheck checks only marked inputs: mark x too.
  assertGradcheck(t, fn, [x.detach().requiresGrad_(), ...named.map(([, p]) => p)], {}, module.constructor.name);
  // The real parameters are untouched by the check and get gradients of their shapes from backward.
  module.zeroGrad();
  const xl = x.detach().requiresGrad_();
  const projection = rnd(new Generator(3), head(forward(module, x)).shape, x.backend);
  head(forward(module, xl)).mul(projection).sum().backward();
  t.deepEqual(xl.grad?.shape, x.shape);
  for (const [n, p] of named) t.deepEqual(p.grad?.shape, p.shape, `gradient of ${n}`);
}
