/** EquivariantLinear: exact equivariance for every rotation, gradients, training through autograd. */
import test from 'ava';
import { gradcheck } from '../../../src/autograd';
import type { BackendName } from '../../../src/backend/backend';
import { EquivariantLinear, directSum, rotationRep, trivialRep, type PermRep } from '../../../src/nn/equivariant';
import { mseLoss } from '../../../src/nn/functional';
import { Adam } from '../../../src/optim/adam';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { equivarianceError } from '../../helpers/equivariance';

const fastest = (): BackendName => backendsUnderTest().includes('cpu') ? 'cpu' : 'ts';

const layerCases: [string, PermRep, PermRep][] = [
  ['28×28 → 16×16', rotationRep(28), rotationRep(16)],
  ['16×16 → 8×8', rotationRep(16), rotationRep(8)],
  ['8×8 → 16×16', rotationRep(8), rotationRep(16)],
  ['5×5 → 3×3', rotationRep(5), rotationRep(3)],
  ['[h‖g] 8×8 ⊕ 64 → 16×16', directSum(rotationRep(8), trivialRep(64)), rotationRep(16)],
];

for (const bias of ['orbit', 'shared', 'none'] as const) {
  for (const [label, inRep, outRep] of layerCases) {
    test(`EquivariantLinear ${label} (bias ${bias}): equivariance error < 1e-4 for random inputs and every rotation`, (t) => {
      const gen = new Generator(7);
      const layer = new EquivariantLinear(inRep, outRep, { bias, activation: 'relu', generator: gen, backend: fastest() });
      const x = Tensor.randn([6, inRep.size], { generator: gen, backend: fastest() });
      t.true(equivarianceError((v) => layer.forward(v), inRep, outRep, x) < 1e-4);
    });
  }
}

test('EquivariantLinear 28×28 → 28×28: equivariant, parameterised by one coefficient per orbit, trains on the native backend', (t) => {
  const rep = rotationRep(28);
  const gen = new Generator(3);
  const be = fastest();
  const layer = new EquivariantLinear(rep, rep, { generator: gen, backend: be });
  t.is(layer.coefficients.size, 784 * 784 / 4);
  t.is(layer.bias!.size, 196, 'one bias per orbit of output pixels');
  const x = Tensor.rand([32, 784], { generator: gen, backend: be });
  t.true(equivarianceError((v) => layer.forward(v), rep, rep, x) < 1e-4);
  const target = x; // the identity map is equivariant, so the layer can learn it
  const optimizer = new Adam(layer.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    const loss = mseLoss(layer.forward(x), target);
    optimizer.zeroGrad();
    loss.backward();
    t.deepEqual(layer.coefficients.grad!.shape, [784 * 784 / 4]);
    optimizer.step();
    losses.push(loss.item());
  }
  t.true(losses[4] < losses[0], `loss falls: ${losses.join(', ')}`);
  t.true(equivarianceError((v) => layer.forward(v), rep, rep, x) < 1e-4, 'still equivariant after training');
});

test('EquivariantLinear: weight() expands the coefficients over the orbits and commutes with the rotation', (t) => {
  const inRep = rotationRep(3);
  const outRep = rotationRep(2);
  const layer = new EquivariantLinear(inRep, outRep, { generator: new Generator(1), dtype: 'float64', backend: 'ts' });
  const w = layer.weight();
  t.deepEqual(w.shape, [4, 9]);
  const p1 = inRep.generators[0];
  const p2 = outRep.generators[0];
  for (let o = 0; o < 4; o++) for (let i = 0; i < 9; i++) t.is(w.data[o * 9 + i], w.data[p2[o] * 9 + p1[i]]);
  t.is(new Set(w.data).size, layer.coefficients.size, 'every coefficient appears');
});

for (const name of backendsUnderTest()) {
  test(`${name}: EquivariantLinear gradients (coefficients, bias, input) pass a float64 gradcheck`, (t) => {
    const gen = new Generator(5);
    const layer = new EquivariantLinear(rotationRep(3), rotationRep(2), { generator: gen, dtype: 'float64', backend: name, activation: 'tanh' });
    const x = Tensor.randn([3, 9], { dtype: 'float64', generator: gen, backend: name, requiresGrad: true });
    const r = gradcheck((c, b, v) => layer.apply(v, c, b), [layer.coefficients, layer.bias!, x]);
    t.true(r.ok, JSON.stringify(r.worst));
  });
}

test('EquivariantLinear: shape and option errors are one-line messages', (t) => {
  const layer = new EquivariantLinear(rotationRep(3), rotationRep(2), { backend: 'ts' });
  t.throws(() => layer.forward(Tensor.zeros([2, 8], { backend: 'ts' })), { message: /must end in 9 features/ });
  t.throws(() => new EquivariantLinear(rotationRep(3), rotationRep(2), { bias: 'rows' as 'orbit' }), { message: /bias must be/ });
});
