import { convOutputSize, type ConvGeometry } from '../../../src/backend/backend';
import { parity } from '../../helpers/parity';
import { randomArray, zerosLike } from '../../helpers/random';

const pool = (batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
              strideH = kernelH, strideW = kernelW): ConvGeometry =>
  ({ batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH: 0, padW: 0 });

const GEOMETRIES: ConvGeometry[] = [
  pool(1, 1, 1, 1, 1, 1), pool(2, 3, 28, 28, 2, 2), pool(1, 2, 7, 5, 2, 2), pool(3, 1, 9, 11, 3, 2, 1, 2), pool(2, 4, 6, 6, 6, 6),
];

parity('maxPool2d matches the reference: values, argmax, ties and NaN', ({ t, native, ref, dtype, gen }) => {
  for (const g of GEOMETRIES) {
    const { outH, outW } = convOutputSize(g);
    const n = g.batch * g.channels * outH * outW;
    const x = randomArray(gen, dtype, g.batch * g.channels * g.height * g.width);
    // Ties (rounded values) and NaNs: the first maximum, and the first NaN, must win on both sides.
    for (let i = 0; i < x.length; i++) {
      if (i % 3 === 0) x[i] = Math.round(x[i] * 2) / 2;
      if (i % 17 === 5) x[i] = NaN;
    }
    const outRef = zerosLike(x, n), outNative = zerosLike(x, n).fill(-1);
    const argRef = new Int32Array(n), argNative = new Int32Array(n).fill(-1);
    ref.maxPool2d(g, x, outRef, argRef);
    native.maxPool2d(g, x, outNative, argNative);
    t.deepEqual(Array.from(argNative), Array.from(argRef), `argmax ${JSON.stringify(g)}`);
    t.deepEqual(Array.from(outNative).map(String), Array.from(outRef).map(String), `values ${JSON.stringify(g)}`);
  }
});

parity('maxPool2d with ±Infinity in a plane (no NaN) and with a NaN first in its window', ({ t, native, ref, dtype }) => {
  const g = pool(1, 2, 4, 4, 2, 2);
  const values = dtype === 'float64' ? new Float64Array(32) : new Float32Array(32);
  values.set([Infinity, 1, -Infinity, 2, 3, -Infinity, 5, Infinity, 0, 0, 0, 0, -1, -2, -3, -4]);
  values.set([NaN, 9, 1, NaN, 2, 3, 4, 5, -0, 0, 0, -0, 7, 7, 7, 7], 16);
  const outRef = zerosLike(values, 8), outNative = zerosLike(values, 8).fill(-1);
  const argRef = new Int32Array(8), argNative = new Int32Array(8).fill(-1);
  ref.maxPool2d(g, values, outRef, argRef);
  native.maxPool2d(g, values, outNative, argNative);
  t.deepEqual(Array.from(argNative), Array.from(argRef));
  t.deepEqual(Array.from(outNative).map(String), Array.from(outRef).map(String));
});
