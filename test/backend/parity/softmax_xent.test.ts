import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, randomLabels, zerosLike } from '../../helpers/random';

const SHAPES: [number, number][] = [[1, 1], [1, 10], [7, 3], [128, 10], [5, 1000]];

parity('logSoftmaxNll forward and backward match the reference', ({ t, native, ref, dtype, gen }) => {
  for (const [m, c] of SHAPES) {
    for (const spread of [1, 30, 1000]) {
      const where = `${m}×${c} logits ±${spread}`;
      const logits = randomArray(gen, dtype, m * c, -spread, spread);
      const labels = randomLabels(gen, m, c);
      const runs = [ref, native].map((b) => {
        const logProbs = zerosLike(logits);
        const argmax = new Int32Array(m);
        const loss = b.logSoftmaxNllForward(m, c, logits, labels, logProbs, argmax);
        const dLogits = zerosLike(logits);
        b.logSoftmaxNllBackward(m, c, logProbs, labels, 0.75, dLogits);
        return { logProbs, argmax, loss, dLogits };
      });
      const [r, n] = runs;
      t.true(Number.isFinite(n.loss), `loss finite ${where}`);
      t.true(Math.abs(n.loss - r.loss) <= tolerance(dtype, c) * Math.max(1, Math.abs(r.loss)), `loss ${where}: ${n.loss} vs ${r.loss}`);
      const scale = new Float64Array(m * c).fill(spread);
      t.true(maxRelativeError(n.logProbs, r.logProbs, scale) <= tolerance(dtype, c), `logProbs ${where}`);
      t.deepEqual(Array.from(n.argmax), Array.from(r.argmax), `argmax ${where}`);
      t.true(maxRelativeError(n.dLogits, r.dLogits) <= tolerance(dtype, c), `dLogits ${where}`);
    }
  }
});

parity('logSoftmaxNll handles ±1000, equal rows, one class and one-hot-like rows', ({ t, native, dtype }) => {
  const make = (values: number[]) => (dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values));
  const logits = make([1000, -1000, 0, 5, 5, 5, 1000, 1000, -1000]);
  const logProbs = zerosLike(logits);
  const argmax = new Int32Array(3);
  const loss = native.logSoftmaxNllForward(3, 3, logits, Int32Array.from([0, 1, 2]), logProbs, argmax);
  // Row 0: label 0 at 1000 → 0; row 1: all equal → log 3; row 2: label 2 at -1000 vs two at 1000 → 2000 + log 2.
  const expected = (0 + Math.log(3) + 2000 + Math.log(2)) / 3;
  t.true(Math.abs(loss - expected) <= 1e-4 * expected, `${loss} vs ${expected}`);
  t.deepEqual(Array.from(argmax), [0, 0, 0]);
  const one = zerosLike(logits, 2);
  const single = native.logSoftmaxNllForward(2, 1, make([3, -7]), Int32Array.from([0, 0]), one, null);
  t.is(single, 0);
  t.deepEqual(Array.from(one), [0, 0]);
});
