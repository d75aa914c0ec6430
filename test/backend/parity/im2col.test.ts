import { convOutputSize, type ConvGeometry } from '../../../src/backend/backend';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

const GEOMETRIES: ConvGeometry[] = [
  { batch: 1, channels: 1, height: 1, width: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 },
  { batch: 2, channels: 3, height: 7, width: 5, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
  { batch: 3, channels: 2, height: 28, width: 28, kernelH: 5, kernelW: 5, strideH: 2, strideW: 2, padH: 2, padW: 2 },
  { batch: 1, channels: 4, height: 9, width: 11, kernelH: 2, kernelW: 3, strideH: 3, strideW: 2, padH: 0, padW: 1 },
  { batch: 2, channels: 1, height: 4, width: 4, kernelH: 4, kernelW: 4, strideH: 1, strideW: 1, padH: 3, padW: 3 },
  // stride 1 with outW = width: the shifted-plane paths of the cpu addon
  { batch: 2, channels: 2, height: 6, width: 7, kernelH: 3, kernelW: 5, strideH: 1, strideW: 1, padH: 1, padW: 2 },
  { batch: 3, channels: 2, height: 5, width: 4, kernelH: 2, kernelW: 3, strideH: 1, strideW: 1, padH: 0, padW: 1 },
];

parity('im2col and col2im match the reference', ({ t, native, ref, dtype, gen }) => {
  for (const g of GEOMETRIES) {
    const { outH, outW } = convOutputSize(g);
    const imageSize = g.batch * g.channels * g.height * g.width;
    const colSize = g.batch * g.channels * g.kernelH * g.kernelW * outH * outW;
    const images = randomArray(gen, dtype, imageSize);
    const colsRef = zerosLike(images, colSize);
    const colsNative = zerosLike(images, colSize).fill(NaN);
    ref.im2col(g, images, colsRef);
    native.im2col(g, images, colsNative);
    t.deepEqual(Array.from(colsNative), Array.from(colsRef), `im2col ${JSON.stringify(g)}`);

    const cols = randomArray(gen, dtype, colSize);
    const imRef = zerosLike(images);
    const imNative = zerosLike(images).fill(NaN);
    ref.col2im(g, cols, imRef);
    native.col2im(g, cols, imNative);
    const overlap = Math.ceil(g.kernelH / g.strideH) * Math.ceil(g.kernelW / g.strideW);
    t.true(maxRelativeError(imNative, imRef) <= tolerance(dtype, overlap), `col2im ${JSON.stringify(g)}`);
  }
});
