/** gradcheck itself: passes correct gradients, catches wrong ones (and says where), refuses float32. */
import test from 'ava';
import { gradcheck } from '../../src/autograd';
import { record } from '../../src/autograd/graph';
import { backendsUnderTest } from '../helpers/backends';
import { DTypeError } from '../../src/errors';
import { Tensor } from '../../src/tensor';
import { rnd, seeded } from './helpers';

for (const name of backendsUnderTest()) {
  test(`[${name}] gradcheck passes a correct function, counting every element of every input`, (t) => {
    const gen = seeded(`${name} ok`);
    const x = rnd(gen, [3, 4], name);
    const w = rnd(gen, [4, 2], name);
    const r = gradcheck((a, b) => a.matmul(b).tanh().sum(), [x, w]);
    t.true(r.ok);
    t.true(r.maxError < 1e-6);
    t.is(r.checked, 12 + 8);
    // The inputs are left as they were: not marked, values restored.
    t.false(x.requiresGrad);
    t.is(x.grad, null);
    t.deepEqual(Array.from(x.data), Array.from(rnd(seeded(`${name} ok`), [3, 4], name).data));
  });

  test(`[${name}] gradcheck fails when part of the computation is detached, and locates the worst element`, (t) => {
    const gen = seeded(`${name} detach`);
    const x = rnd(gen, [5], name, 0.5, 1.5);
    // f = Σ x · sg(x²): the numeric gradient is 3x², the analytic one only x².
    const r = gradcheck((a) => a.mul(a.square().detach()).sum(), [x]);
    t.false(r.ok);
    t.true(r.maxError > 0.1);
    t.truthy(r.worst);
    const { input, index, analytic, numeric } = r.worst!;
    t.is(input, 0);
    t.true(index >= 0 && index < 5);
    const v = x.data[index];
    t.true(Math.abs(analytic - v * v) < 1e-9, `analytic ${analytic} vs ${v * v}`);
    t.true(Math.abs(numeric - 3 * v * v) < 1e-5, `numeric ${numeric} vs ${3 * v * v}`);
    // The largest relative error is at the largest x: |x² - 3x²| / (3x²) = 2/3 everywhere, so any index is worst;
    // the error value itself must be that.
    t.true(Math.abs(r.maxError - 2 / 3) < 1e-6);
  });

  test(`[${name}] gradcheck fails on a hand-made op with a wrong derivative rule`, (t) => {
    // An op recorded as 'scale' with alpha 2 that actually computes 3x: its vjp (×2) is wrong.
    const wrongTriple = (x: Tensor) => record('scale', [x], new Tensor(x.data.map((v) => 3 * v), x.shape, x.backend), { alpha: 2 });
    const x = rnd(seeded(`${name} wrong`), [2, 3], name);
    const r = gradcheck((a) => wrongTriple(a).square().sum(), [x]);
    t.false(r.ok);
    t.truthy(r.worst);
    const v = x.data[r.worst!.index];
    t.true(Math.abs(r.worst!.numeric - 18 * v) < 1e-5);
    t.true(Math.abs(r.worst!.analytic - 12 * v) < 1e-9);
  });

  test(`[${name}] gradcheck sees a second input whose gradient is wrong (input index reported)`, (t) => {
    const gen = seeded(`${name} second`);
    const a = rnd(gen, [3], name);
    const b = rnd(gen, [3], name, 0.5, 1);
    const r = gradcheck((x, y) => x.mul(y.detach()).add(y.square()).sum(), [a, b]);
    t.false(r.ok);
    t.is(r.worst!.input, 1);
  });

  test(`[${name}] gradcheck reports a function that ignores an input as exact (zero gradient both ways)`, (t) => {
    const gen = seeded(`${name} unused`);
    const r = gradcheck((x) => x.sum(), [rnd(gen, [3], name), rnd(gen, [2], name)]);
    t.true(r.ok);
    t.is(r.checked, 5);
  });

  test(`[${name}] gradcheck checks only the inputs marked requiresGrad when some are`, (t) => {
    const gen = seeded(`${name} marked`);
    const x = rnd(gen, [3], name).requiresGrad_();
    const c = rnd(gen, [4], name);
    const r = gradcheck((a, b) => a.sum().mul(b.sum().detach()), [x, c]);
    // Only x is checked; c's gradient (wrong, detached) is not looked at.
    t.true(r.ok);
    t.is(r.checked, 3);
  });

  test(`[${name}] gradcheck handles non-scalar outputs (every output element matters)`, (t) => {
    const gen = seeded(`${name} vector`);
    const x = rnd(gen, [2, 3], name);
    const good = gradcheck((a) => a.exp().matmul(a.T), [x]);
    t.true(good.ok);
    t.true(good.maxError < 1e-6);
    // Only one output element has a wrong derivative: the check must still see it.
    const bad = gradcheck((a) => Tensor.concat([a.slice(1, 0, 2), a.slice(1, 2).detach().square()], 1), [x]);
    t.false(bad.ok);
    t.is(bad.worst!.index % 3, 2);
  });

  test(`[${name}] gradcheck refuses float32 inputs with DTypeError`, (t) => {
    const x32 = Tensor.from([1, 2], { dtype: 'float32', backend: name });
    const x64 = Tensor.from([1, 2], { dtype: 'float64', backend: name });
    t.throws(() => gradcheck((a) => a.sum(), [x32]), { instanceOf: DTypeError, message: /input 0 is float32/ });
    t.throws(() => gradcheck((a, b) => a.add(b).sum(), [x64, x32]), { instanceOf: DTypeError, message: /input 1/ });
  });

  test(`[${name}] gradcheck's tolerance and step are options`, (t) => {
    const x = rnd(seeded(`${name} tol`), [4], name, 0.5, 1.5);
    // numeric 2.02x, analytic 1.01x: relative error 1/2.
    const off = (a: Tensor) => a.mul(a.scale(1.01).detach()).sum();
    const r = gradcheck(off, [x]);
    t.false(r.ok);
    t.true(Math.abs(r.maxError - 0.5) < 1e-6);
    t.true(gradcheck(off, [x], { tolerance: 0.6 }).ok);
    // A huge step makes the difference quotient of a cubic inaccurate.
    t.false(gradcheck((a) => a.pow(3).sum(), [x], { eps: 0.5 }).ok);
    t.true(gradcheck((a) => a.pow(3).sum(), [x]).ok);
  });

  test(`[${name}] gradcheck of a function given the same tensor twice checks each argument on its own`, (t) => {
    const x = rnd(seeded(`${name} twice`), [3], name, 0.5, 1.5);
    // f(a, b) = Σ a² b: ∂/∂a = 2ab, ∂/∂b = a², evaluated at a = b = x.
    const r = gradcheck((a, b) => a.square().mul(b).sum(), [x, x]);
    t.true(r.ok, `maxError ${r.maxError}`);
    t.is(r.checked, 6);
    t.deepEqual(Array.from(x.data), Array.from(rnd(seeded(`${name} twice`), [3], name, 0.5, 1.5).data), 'values restored');
  });
}
