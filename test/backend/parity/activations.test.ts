import { ACTIVATIONS } from '../../../src/backend/backend';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

const SHAPES: [number, number][] = [[1, 1], [7, 13], [128, 256], [1000, 3], [3, 1001]];

parity('biasActivationForward and Backward match the reference', ({ t, native, ref, dtype, gen }) => {
  for (const act of ACTIVATIONS) {
    for (const [m, n] of SHAPES) {
      for (const withBias of [true, false]) {
        const x = randomArray(gen, dtype, m * n, -3, 3);
        const bias = withBias ? randomArray(gen, dtype, n) : null;
        const outRef = zerosLike(x);
        const outNative = zerosLike(x);
        ref.biasActivationForward(act, m, n, x, bias, outRef);
        native.biasActivationForward(act, m, n, x, bias, outNative);
        const where = `${act} ${m}×${n} bias=${withBias}`;
        t.true(maxRelativeError(outNative, outRef) <= 2 * tolerance(dtype), `forward ${where}`);

        const dOut = randomArray(gen, dtype, m * n);
        const dxRef = zerosLike(x);
        const dxNative = zerosLike(x);
        const dbRef = withBias ? zerosLike(x, n).fill(NaN) : null;
        const dbNative = withBias ? zerosLike(x, n).fill(NaN) : null;
        ref.biasActivationBackward(act, m, n, dOut, outRef, dxRef, dbRef);
        native.biasActivationBackward(act, m, n, dOut, outRef, dxNative, dbNative);
        t.true(maxRelativeError(dxNative, dxRef) <= 2 * tolerance(dtype), `dX ${where}`);
        if (dbRef && dbNative) {
          const scale = new Float64Array(n).fill(m);
          t.true(maxRelativeError(dbNative, dbRef, scale) <= tolerance(dtype, m), `dBias ${where}`);
        }
      }
    }
  }
});

parity('biasActivationForward may write in place', ({ t, native, ref, dtype, gen }) => {
  const x = randomArray(gen, dtype, 6 * 5, -2, 2);
  const bias = randomArray(gen, dtype, 5);
  const expected = zerosLike(x);
  ref.biasActivationForward('relu', 6, 5, x, bias, expected);
  native.biasActivationForward('relu', 6, 5, x, bias, x);
  t.true(maxRelativeError(x, expected) <= tolerance(dtype));
});

parity('relu backward gives exactly 0 where the output is 0, even for infinite or NaN dOut', ({ t, native, ref, dtype }) => {
  const make = (v: number[]) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  const out = make([0, 0, 2, 3]);
  const dOut = make([Infinity, NaN, Infinity, 1]);
  const results = [ref, native].map((b) => {
    const dX = make([9, 9, 9, 9]);
    b.biasActivationBackward('relu', 1, 4, dOut, out, dX, null);
    return Array.from(dX);
  });
  t.deepEqual(results[1], results[0]);
  t.deepEqual(results[1], [0, 0, Infinity, 1]);
});
