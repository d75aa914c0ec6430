import test from 'ava';
import { backend } from '../../../src/backend';
import { createCudaBackend } from '../../../src/backend/cuda';
import { backendsUnderTest } from '../../helpers/backends';
import { AutogradDenseRes } from '../../../src/experiments/dense-res/autograd';
import { ManualDenseRes } from '../../../src/experiments/dense-res/manual';
import { initDenseRes, type DenseResShape } from '../../../src/experiments/dense-res/weights';
import { Generator } from '../../../src/random';
import { MockCudaAddon } from '../../helpers/mock_cuda';
import { maxRelativeError } from '../../helpers/random';

// Small sizes keep the float64 comparison quick; the structure is the full model's.
const SHAPES: DenseResShape[] = [
  { inputs: 12, hidden: 7, classes: 5, layerNorm: true },
  { inputs: 12, hidden: 7, classes: 5, layerNorm: false },
];

function batch(gen: Generator, B: number, d: number, c: number) {
  const x = new Float64Array(B * d);
  gen.fillUniform(x, 0, 1);
  const y = Int32Array.from({ length: B }, () => gen.int(c));
  return { x, y };
}

for (const name of backendsUnderTest()) {
  for (const shape of SHAPES) {
    const where = `[${name}, ${shape.layerNorm ? 'LayerNorm' : 'no LayerNorm'}]`;

    test(`${where} manual and autograd gradients agree in float64 on random weights`, (t) => {
      const be = backend(name);
      const gen = new Generator(3);
      const weights = initDenseRes(shape, gen, 'float64', be);
      // Random (not 1/0) gamma and beta, so the LN parameter gradients are exercised.
      for (const g of weights.gamma) gen.fillUniform(g.data, 0.5, 1.5);
      for (const b of weights.beta) gen.fillUniform(b.data, -0.5, 0.5);
      const manual = new ManualDenseRes(shape, weights, be, 'float64', 16);
      const auto = new AutogradDenseRes(shape, weights, be);
      t.deepEqual(Object.keys(manual.weights()).sort(), Object.keys(auto.weights()).sort());
      for (const B of [9, 1]) {
        const { x, y } = batch(gen, B, shape.inputs, shape.classes);
        const gm = manual.gradients(x, y, B);
        const ga = auto.gradients(x, y, B);
        for (const key of Object.keys(ga)) {
          t.deepEqual(gm[key].shape, ga[key].shape, key);
          const err = maxRelativeError(gm[key].data, ga[key].data);
          t.true(err < 1e-8, `${key} (B=${B}): ${err}`);
        }
        t.true(Math.abs(manual.evaluate(x, y, B).loss - auto.evaluate(x, y, B).loss) < 1e-12);
      }
    });

    test(`${where} a few SGD steps move both implementations identically and lower the loss`, (t) => {
      const be = backend(name);
      const gen = new Generator(4);
      const weights = initDenseRes(shape, gen, 'float64', be);
      const manual = new ManualDenseRes(shape, weights, be, 'float64', 16);
      const auto = new AutogradDenseRes(shape, weights, be);
      const { x, y } = batch(gen, 16, shape.inputs, shape.classes);
      const first = manual.evaluate(x, y, 16).loss;
      for (let step = 0; step < 20; step++) {
        const a = manual.trainStep(x, y, 16, 0.05);
        const b = auto.trainStep(x, y, 16, 0.05);
        t.true(Math.abs(a.loss - b.loss) < 1e-10, `step ${step}: ${a.loss} vs ${b.loss}`);
        t.is(a.correct, b.correct);
      }
      t.true(manual.evaluate(x, y, 16).loss < first * 0.8);
      const wm = manual.weights();
      const wa = auto.weights();
      for (const key of Object.keys(wa)) t.true(maxRelativeError(wm[key].data, wa[key].data) < 1e-9, key);
    });
  }
}

test('manual dense-res runs on the cuda backend (mock addon) with exactly the ts numbers, one upload per batch', (t) => {
  const addon = new MockCudaAddon();
  const cuda = createCudaBackend(addon);
  const shape = SHAPES[0];
  const run = (be: ReturnType<typeof backend>) => {
    const gen = new Generator(6);
    const model = new ManualDenseRes(shape, initDenseRes(shape, gen, 'float64', be), be, 'float64', 16);
    const { x, y } = batch(gen, 16, shape.inputs, shape.classes);
    const before = { uploads: addon.uploads, downloads: addon.downloads };
    const losses = Array.from({ length: 5 }, () => model.trainStep(x, y, 16, 0.05).loss);
    const grads = model.gradients(x, y, 16);
    const copies = { uploads: addon.uploads - before.uploads, downloads: addon.downloads - before.downloads };
    return { losses, copies, grads: Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, [...v.toTypedArray()]])) };
  };
  const want = run(backend('ts'));
  const got = run(cuda);
  t.deepEqual(got.losses, want.losses);
  t.deepEqual(got.grads, want.grads);
  t.deepEqual(got.copies, { uploads: 6, downloads: 0 }, 'one upload per batch (5 steps + gradients), nothing read back');
});
