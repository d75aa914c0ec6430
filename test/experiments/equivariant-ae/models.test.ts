/** equivariant-ae networks: the whole encoder, decoder and model are equivariant (or invariant) for every rotation. */
import test from 'ava';
import { backend } from '../../../src/backend';
import { buildModel, type Autoencoder, type ModelName } from '../../../src/experiments/equivariant-ae/models';
import { directSum, rotationRep, trivialRep } from '../../../src/nn/equivariant';
import type { Module } from '../../../src/nn/module';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { equivarianceError } from '../../helpers/equivariance';

const be = backend(backendsUnderTest().includes('cpu') ? 'cpu' : 'ts');
const sides = [28, 16, 8];

function build(name: ModelName, seed = 1): Module {
  return buildModel(name, { sides, bias: 'orbit', generator: new Generator(seed), backend: be }).module;
}

const images = (n: number, seed: number) => Tensor.rand([n, 784], { generator: new Generator(seed), backend: be });
const forward = (m: Module) => (x: Tensor) => m.forward(x);

for (const name of ['eq-ae', 'attn-ae'] as const) {
  test(`${name}: encoder, decoder and the whole autoencoder are C4-equivariant (error < 1e-4)`, (t) => {
    const model = build(name) as Autoencoder;
    const x = images(8, 2);
    const image = rotationRep(28);
    const h = rotationRep(8);
    const code = name === 'attn-ae' ? directSum(h, trivialRep(64)) : h;
    t.true(equivarianceError(forward(model.encoder), image, h, x) < 1e-4, 'encoder x → h');
    t.true(equivarianceError((v) => model.encode(v), image, code, x) < 1e-4, 'encoder x → [h‖g]');
    const z = Tensor.randn([8, code.size], { generator: new Generator(3), backend: be });
    t.true(equivarianceError(forward(model.decoder), code, image, z) < 1e-4, 'decoder');
    t.true(equivarianceError(forward(model), image, image, x) < 1e-4, 'autoencoder');
  });
}

test('attn-ae: the decoder is equivariant for diag(ρ, I) only, not when g is rotated too', (t) => {
  const model = build('attn-ae') as Autoencoder;
  const z = Tensor.randn([8, 128], { generator: new Generator(4), backend: be });
  // Rotating the g half as well (ρ ⊕ ρ instead of ρ ⊕ I) is not a symmetry of the constrained decoder.
  t.true(equivarianceError(forward(model.decoder), directSum(rotationRep(8), rotationRep(8)), rotationRep(28), z) > 1e-3);
});

test('inv-clf: the logits are invariant to every rotation; mlp-clf and mlp-ae are not', (t) => {
  const x = images(8, 5);
  t.true(equivarianceError(forward(build('inv-clf')), rotationRep(28), trivialRep(10), x) < 1e-4);
  t.true(equivarianceError(forward(build('mlp-clf')), rotationRep(28), trivialRep(10), x) > 1e-3);
  t.true(equivarianceError(forward(build('mlp-ae')), rotationRep(28), rotationRep(28), x) > 1e-3);
});

test('the equivariant models share weights by orbit: far fewer parameters than the plain ones', (t) => {
  const eq = build('eq-ae').parameterCount();
  const plain = build('mlp-ae').parameterCount();
  t.true(eq < plain / 3.5, `${eq} vs ${plain}`);
});
