/** Invariant pooling: attention pool and orbit means are unchanged when h is rotated. */
import test from 'ava';
import { gradcheck } from '../../../src/autograd';
import { AttentionPool, OrbitMeanPool, actOnRows, representationElements, rotationRep } from '../../../src/nn/equivariant';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor/tensor';
import { backendsUnderTest } from '../../helpers/backends';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

for (const name of backendsUnderTest()) {
  test(`${name}: AttentionPool output is invariant to every rotation of h (error < 1e-4), α sums to 1 and permutes with h`, (t) => {
    const gen = new Generator(2);
    const rep = rotationRep(8);
    const pool = new AttentionPool(rep, { generator: gen, backend: name });
    // A larger query makes α far from uniform, so the check is not trivially met by plain averaging.
    pool.query.requiresGrad_(false).scale_(20).requiresGrad_(true);
    const h = Tensor.randn([16, 64], { generator: gen, backend: name });
    const g = pool.forward(h);
    t.deepEqual(g.shape, [16, 64]);
    const alpha = pool.attention(h);
    t.deepEqual(alpha.shape, [16, 4]);
    t.true(maxDiff(alpha.sum(1).data, new Float32Array(16).fill(1)) < 1e-6);
    t.true(Math.max(...alpha.data) > 0.5, 'α is not uniform with this query');
    const [elements] = representationElements(rep);
    for (let k = 0; k < 4; k++) {
      const rotated = actOnRows(h, elements[k]);
      t.true(maxDiff(pool.forward(rotated).data, g.data) < 1e-4, `g invariant to rotation ${k}`);
      // α_i(ρ(r^k) h) = α_{i+k}(h): rotating h shifts the weights along the group.
      const shifted = pool.attention(rotated).data;
      for (let b = 0; b < 16; b++) for (let i = 0; i < 4; i++) {
        t.true(Math.abs(shifted[b * 4 + i] - alpha.data[b * 4 + ((i + k) % 4)]) < 1e-6);
      }
    }
  });

  test(`${name}: AttentionPool gradients (query and h) pass a float64 gradcheck`, (t) => {
    const gen = new Generator(4);
    const pool = new AttentionPool(rotationRep(3), { generator: gen, backend: name, dtype: 'float64' });
    const h = Tensor.randn([2, 9], { dtype: 'float64', generator: gen, backend: name, requiresGrad: true });
    const r = gradcheck((q, x) => pool.apply(x, q), [pool.query, h]);
    t.true(r.ok, JSON.stringify(r.worst));
  });

  test(`${name}: OrbitMeanPool is invariant and averages each orbit of positions`, (t) => {
    const gen = new Generator(6);
    const rep = rotationRep(5);
    const pool = new OrbitMeanPool(rep, { backend: name });
    t.is(pool.orbitCount, 7);
    const h = Tensor.randn([3, 25], { generator: gen, backend: name });
    const y = pool.forward(h);
    t.deepEqual(y.shape, [3, 7]);
    const [elements] = representationElements(rep);
    for (const p of elements) t.true(maxDiff(pool.forward(actOnRows(h, p)).data, y.data) < 1e-6);
    // The corner orbit {0, 4, 24, 20} is the first one.
    const corner = (h.data[0] + h.data[4] + h.data[24] + h.data[20]) / 4;
    t.true(Math.abs(y.data[0] - corner) < 1e-6);
  });
}

test('AttentionPool and OrbitMeanPool refuse h of the wrong width', (t) => {
  const pool = new AttentionPool(rotationRep(3), { backend: 'ts' });
  t.throws(() => pool.forward(Tensor.zeros([2, 8], { backend: 'ts' })), { message: /batch×9/ });
  t.throws(() => new OrbitMeanPool(rotationRep(3), { backend: 'ts' }).forward(Tensor.zeros([2, 10], { backend: 'ts' })), { message: /batch×9/ });
});
