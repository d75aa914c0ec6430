import { Tensor } from '../src/tensor';
import { backend } from '../src/backend';
import { Generator } from '../src/random';
import { jacobianBy, makeWeights, network, SEED_SIZES } from '../src/experiments/jacobian/network';
const be = backend(process.argv[2] as any); const method = process.argv[3] as any;
const gen = new Generator(0);
const W = makeWeights(3, SEED_SIZES, gen, 'float32', be);
const x = Tensor.randn([2], { dtype: 'float32', backend: be, generator: gen });
const f = network(W);
const t0 = Date.now(); let n = 0;
while (Date.now() - t0 < 3000) { jacobianBy(method, f, x).toTypedArray(); n++; }
console.log(method, (3000e3 / n).toFixed(1), 'us');
