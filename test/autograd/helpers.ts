/** Shared helpers for the autograd, nn and optim tests (float64 tensors, gradcheck assertions). */
import type { ExecutionContext } from 'ava';
import { gradcheck, type GradcheckOptions } from '../../src/autograd';
import type { OpName } from '../../src/autograd/ops';
import type { Backend, BackendName } from '../../src/backend/backend';
import { Generator } from '../../src/random';
import { Tensor, type Shape } from '../../src/tensor';

export type On = BackendName | Backend;

/** Uniform float64 tensor in [low, high). */
export function rnd(gen: Generator, shape: Shape, on: On, low = -1, high = 1): Tensor {
  return Tensor.rand(shape, { dtype: 'float64', backend: on, generator: gen, low, high });
}

/** Float64 values with |v| in [lo, hi) and a random sign: away from 0 (relu/abs/sign kinks, division). */
export function awayFromZero(gen: Generator, shape: Shape, on: On, lo = 0.2, hi = 1.5): Tensor {
  const t = rnd(gen, shape, on, lo, hi);
  for (let i = 0; i < t.size; i++) if (gen.random() < 0.5) t.data[i] = -t.data[i];
  return t;
}

/** Float64 values that are pairwise at least `gap` apart (no ties for max/min), in random order. */
export function distinct(gen: Generator, shape: Shape, on: On, gap = 0.1): Tensor {
  const t = Tensor.zeros(shape, { dtype: 'float64', backend: on });
  const perm = gen.permutation(t.size);
  for (let i = 0; i < t.size; i++) t.data[i] = (perm[i] - t.size / 2) * gap + gen.uniform(0, gap / 4);
  return t;
}

/** Runs gradcheck and asserts ok with maxError below the tolerance, logging the worst element on failure. */
export function assertGradcheck(t: ExecutionContext, fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[],
                                options: GradcheckOptions = {}, what = ''): void {
  const tolerance = options.tolerance ?? 1e-6;
  const r = gradcheck(fn, inputs, options);
  const where = r.worst ? ` worst at input ${r.worst.input}[${r.worst.index}]: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}` : '';
  t.true(r.ok && r.maxError < tolerance, `${what} gradcheck failed: maxError ${r.maxError}${where}`);
  t.true(r.checked > 0, `${what} gradcheck checked nothing`);
}

/** The op names recorded in the graph that produced `out`. */
export function opsIn(out: Tensor): Set<OpName> {
  const ops = new Set<OpName>();
  const seen = new Set<Tensor>();
  const stack: Tensor[] = [out];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (!x.gradFn) continue;
    ops.add(x.gradFn.op);
    for (const i of x.gradFn.inputs) if (i) stack.push(i);
  }
  return ops;
}

/** max |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

/** A seeded generator from a string (so each test's data repeats). */
export function seeded(title: string): Generator {
  let seed = 7;
  for (const ch of title) seed = (seed * 31 + ch.charCodeAt(0)) % 1000003;
  return new Generator(seed);
}
