import { ACTIVATIONS, convOutputSize, poolGeometry, type ConvGeometry, type PoolWindow } from '../../../src/backend/backend';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

const GEOMETRIES: ConvGeometry[] = [
  { batch: 1, channels: 1, height: 1, width: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 },
  { batch: 2, channels: 3, height: 7, width: 5, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
  { batch: 5, channels: 2, height: 12, width: 9, kernelH: 5, kernelW: 3, strideH: 2, strideW: 1, padH: 2, padW: 0 },
  { batch: 3, channels: 4, height: 9, width: 11, kernelH: 2, kernelW: 3, strideH: 3, strideW: 2, padH: 0, padW: 1 },
  { batch: 2, channels: 1, height: 4, width: 4, kernelH: 4, kernelW: 4, strideH: 1, strideW: 1, padH: 3, padW: 3 },
  // stride 1 with outW = width: the shifted-plane paths of the cpu addon
  { batch: 2, channels: 2, height: 6, width: 7, kernelH: 3, kernelW: 5, strideH: 1, strideW: 1, padH: 1, padW: 2 },
  { batch: 3, channels: 2, height: 5, width: 4, kernelH: 2, kernelW: 3, strideH: 1, strideW: 1, padH: 0, padW: 1 },
];

parity('conv2dForward and conv2dBackward match the reference (every activation, with and without bias, any subset of gradients)', ({ t, native, ref, dtype, gen }) => {
  for (const g of GEOMETRIES) {
    for (const O of [1, 3]) {
      for (const act of ACTIVATIONS) {
        const { outH, outW } = convOutputSize(g);
        const R = g.channels * g.kernelH * g.kernelW;
        const outSize = g.batch * O * outH * outW;
        const x = randomArray(gen, dtype, g.batch * g.channels * g.height * g.width);
        const w = randomArray(gen, dtype, O * R);
        const bias = act === 'tanh' ? null : randomArray(gen, dtype, O);
        const outRef = zerosLike(x, outSize), outNative = zerosLike(x, outSize).fill(NaN);
        ref.conv2dForward(g, O, act, x, w, bias, outRef);
        native.conv2dForward(g, O, act, x, w, bias, outNative);
        const what = `${JSON.stringify(g)} O=${O} ${act}`;
        t.true(maxRelativeError(outNative, outRef) <= tolerance(dtype, R), `forward ${what}`);

        const dOut = randomArray(gen, dtype, outSize);
        for (const want of [{ x: true, w: true, b: true }, { x: true, w: false, b: false }, { x: false, w: true, b: false }]) {
          const grads = (fill: number) => ({
            dX: want.x ? zerosLike(x).fill(fill) : null, dW: want.w ? zerosLike(w).fill(fill) : null, dB: want.b ? zerosLike(x, O).fill(fill) : null,
          });
          const r = grads(0), n = grads(NaN);
          ref.conv2dBackward(g, O, act, x, dOut, outRef, w, r.dX, r.dW, r.dB);
          native.conv2dBackward(g, O, act, x, dOut, outRef, w, n.dX, n.dW, n.dB);
          const terms = g.batch * outH * outW;
          if (want.x) t.true(maxRelativeError(n.dX!, r.dX!) <= tolerance(dtype, O * g.kernelH * g.kernelW), `dX ${what}`);
          if (want.w) t.true(maxRelativeError(n.dW!, r.dW!) <= tolerance(dtype, terms), `dWeight ${what}`);
          if (want.b) t.true(maxRelativeError(n.dB!, r.dB!) <= tolerance(dtype, terms), `dBias ${what}`);
        }
      }
    }
  }
});

parity('conv2dBackward of an empty batch writes zero weight and bias gradients', ({ t, native, dtype, gen }) => {
  const g: ConvGeometry = { batch: 0, channels: 2, height: 5, width: 5, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 };
  const w = randomArray(gen, dtype, 3 * 18);
  const empty = zerosLike(w, 0);
  const dW = zerosLike(w).fill(NaN), dB = zerosLike(w, 3).fill(NaN);
  native.conv2dBackward(g, 3, 'relu', empty, empty, empty, w, empty, dW, dB);
  t.deepEqual([...dW, ...dB], new Array(3 * 18 + 3).fill(0));
});

parity('conv2dBackward gives the same bits on every run (the split of images between threads is fixed)', ({ t, native, dtype, gen }) => {
  const g: ConvGeometry = { batch: 7, channels: 3, height: 10, width: 8, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 };
  const O = 4, R = 27, outSize = 7 * O * 80;
  const x = randomArray(gen, dtype, 7 * 3 * 80), w = randomArray(gen, dtype, O * R), dOut = randomArray(gen, dtype, outSize);
  const out = zerosLike(x, outSize);
  native.conv2dForward(g, O, 'relu', x, w, null, out);
  const run = () => {
    const dX = zerosLike(x), dW = zerosLike(w), dB = zerosLike(w, O);
    native.conv2dBackward(g, O, 'relu', x, dOut, out, w, dX, dW, dB);
    return [...dX, ...dW, ...dB];
  };
  const first = run();
  for (let i = 0; i < 3; i++) t.deepEqual(run(), first);
});

parity('conv2dPoolForward and conv2dPoolBackward match the reference (every activation, overlapping and strided windows)', ({ t, native, ref, dtype, gen }) => {
  const windows: PoolWindow[] = [
    { kernelH: 2, kernelW: 2, strideH: 2, strideW: 2 },
    { kernelH: 3, kernelW: 2, strideH: 1, strideW: 2 },
    { kernelH: 1, kernelW: 1, strideH: 1, strideW: 1 },
  ];
  for (const g of GEOMETRIES) {
    for (const pool of windows) {
      for (const act of ACTIVATIONS) {
        const O = 3;
        const pg = poolGeometry(g, O, pool);
        if (pool.kernelH > pg.height || pool.kernelW > pg.width) continue;
        const { outH, outW } = convOutputSize(pg);
        const R = g.channels * g.kernelH * g.kernelW;
        const size = g.batch * O * outH * outW;
        const x = randomArray(gen, dtype, g.batch * g.channels * g.height * g.width);
        const w = randomArray(gen, dtype, O * R), bias = randomArray(gen, dtype, O);
        const pooledRef = zerosLike(x, size), argRef = new Int32Array(size);
        const pooledNative = zerosLike(x, size).fill(NaN), argNative = new Int32Array(size).fill(-1);
        ref.conv2dPoolForward(g, O, act, pool, x, w, bias, pooledRef, argRef);
        native.conv2dPoolForward(g, O, act, pool, x, w, bias, pooledNative, argNative);
        const what = `${JSON.stringify(g)} ${JSON.stringify(pool)} ${act}`;
        t.true(maxRelativeError(pooledNative, pooledRef) <= tolerance(dtype, R), `pooled ${what}`);
        // Near-ties may pick another window element in float32; compare gradients from the reference's argmax.
        const dPooled = randomArray(gen, dtype, size);
        const grads = (fill: number) => ({ dX: zerosLike(x).fill(fill), dW: zerosLike(w).fill(fill), dB: zerosLike(x, O).fill(fill) });
        const r = grads(0), n = grads(NaN);
        ref.conv2dPoolBackward(g, O, act, pool, x, dPooled, pooledRef, argRef, w, r.dX, r.dW, r.dB);
        native.conv2dPoolBackward(g, O, act, pool, x, dPooled, pooledRef, argRef, w, n.dX, n.dW, n.dB);
        const terms = g.batch * pg.height * pg.width;
        t.true(maxRelativeError(n.dX, r.dX) <= tolerance(dtype, O * g.kernelH * g.kernelW * 6), `dX ${what}`);
        t.true(maxRelativeError(n.dW, r.dW) <= tolerance(dtype, terms), `dWeight ${what}`);
        t.true(maxRelativeError(n.dB, r.dB) <= tolerance(dtype, terms), `dBias ${what}`);
      }
    }
  }
});
