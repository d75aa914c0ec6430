/**
 * conv2dForward / conv2dBackward composed from a backend's own kernels (im2col,
 * gemm, col2im, the activation kernels, reduce), image by image on views: the
 * ts reference and the cuda backend use it; the cpu addon fuses the same steps
 * natively (native/cpu/conv.cc). With cols_n the R×L im2col of image n
 * (R = C·kH·kW, L = outH·outW) and W the weight read as O×R:
 *   forward   out_n = act(W · cols_n + b ⊗ 1)
 *   backward  dZ = dOut ⊙ act'(out),  dW = Σ_n dZ_n · cols_nᵀ,
 *             db = Σ_{n,l} dZ,  dX_n = col2im(Wᵀ · dZ_n)
 * One image's columns are built at a time (again in backward, rather than
 * keeping the batch's), so the extra memory is R×L elements, not N×R×L.
 * The pooled variants store the convolution's output for the call only.
 */
import { ShapeError } from '../errors';
import { ACTIVATIONS, convOutputSize, poolGeometry, storageDType, type Activation, type Backend, type ConvGeometry, type Storage } from './backend';
import { checkGeometry, describeGeometry } from './ts/im2col';

export type FusedConv = 'conv2dForward' | 'conv2dBackward' | 'conv2dPoolForward' | 'conv2dPoolBackward';
type Primitives = Omit<Backend, FusedConv>;

/** Checks the geometry, outChannels, act and every array's length; returns the per-image sizes. */
function conv2dPlan(kernel: string, g: ConvGeometry, O: number, act: Activation,
                    arrays: Record<string, [Storage | null, 'image' | 'weight' | 'bias' | 'out']>) {
  const l = checkGeometry(kernel, g);
  if (!Number.isSafeInteger(O) || O < 0) throw new RangeError(`${kernel}: outChannels must be an integer >= 0, got ${String(O)}`);
  if (!ACTIVATIONS.includes(act)) throw new RangeError(`${kernel}: act must be one of ${ACTIVATIONS.join(', ')}, got ${String(act)}`);
  const L = l.outH * l.outW;
  const needed = { image: g.batch * l.imageSize, weight: O * l.rows, bias: O, out: g.batch * O * L };
  for (const [name, [array, kind]] of Object.entries(arrays)) {
    if (array !== null && !(array.length >= needed[kind])) {
      throw new ShapeError(`${kernel}: ${name} has ${array.length} elements, needs ${needed[kind]} (${describeGeometry(g, l)}, outChannels=${O})`);
    }
  }
  return { one: { ...g, batch: 1 }, R: l.rows, L, imageSize: l.imageSize };
}

export function composedConv2d(be: Primitives): Pick<Backend, FusedConv> {
  const conv: Pick<Backend, 'conv2dForward' | 'conv2dBackward'> = {
    conv2dForward(g, O, act, x, weight, bias, out) {
      const { one, R, L, imageSize } = conv2dPlan('conv2dForward', g, O, act, { x: [x, 'image'], weight: [weight, 'weight'], bias: [bias, 'bias'], out: [out, 'out'] });
      const size = g.batch * O * L;
      if (size === 0) return;
      const cols = be.alloc(storageDType(x), R * L);
      if (bias) be.copyStrided([g.batch, O, L], bias, [0, 1, 0], out); // the bias of channel o at every position
      for (let i = 0; i < g.batch; i++) {
        be.im2col(one, be.view(x, i * imageSize, imageSize), cols);
        be.gemm(false, false, O, L, R, 1, weight, R, cols, L, bias ? 1 : 0, be.view(out, i * O * L, O * L), L);
      }
      if (act !== 'identity') be.unary(act, be.view(out, 0, size), be.view(out, 0, size));
    },

    conv2dBackward(g, O, act, x, dOut, out, weight, dX, dWeight, dBias) {
      const { one, R, L, imageSize } = conv2dPlan('conv2dBackward', g, O, act, {
        x: [x, 'image'], dOut: [dOut, 'out'], out: [out, 'out'], weight: [weight, 'weight'],
        dX: [dX, 'image'], dWeight: [dWeight, 'weight'], dBias: [dBias, 'bias'],
      });
      const dtype = storageDType(x);
      const N = g.batch;
      let dZ = dOut;
      if (act !== 'identity' && N * O * L > 0) {
        dZ = be.alloc(dtype, N * O * L);
        be.biasActivationBackward(act, N * O, L, dOut, out, dZ, null);
      }
      if (dBias) {
        const perImage = be.alloc(dtype, N * O);
        be.reduce('sum', N * O, L, 1, dZ, perImage);
        be.reduce('sum', 1, N, O, perImage, dBias);
      }
      if (dWeight) {
        if (N === 0) be.fill(dWeight, 0);
        const cols = be.alloc(dtype, R * L);
        for (let i = 0; i < N; i++) {
          be.im2col(one, be.view(x, i * imageSize, imageSize), cols);
          be.gemm(false, true, O, R, L, 1, be.view(dZ, i * O * L, O * L), L, cols, L, i === 0 ? 0 : 1, dWeight, R);
        }
      }
      if (dX) {
        const dCols = be.alloc(dtype, R * L);
        for (let i = 0; i < N; i++) {
          be.gemm(true, false, R, L, O, 1, weight, R, be.view(dZ, i * O * L, O * L), L, 0, dCols, L);
          be.col2im(one, dCols, be.view(dX, i * imageSize, imageSize));
        }
      }
    },
  };
  return {
    ...conv,
    // The convolution's output, pooled; kept only for the duration of the call.
    conv2dPoolForward(g, O, act, pool, x, weight, bias, pooled, argmax) {
      const pg = poolGeometry(g, O, pool);
      const out = be.alloc(storageDType(x), pg.batch * pg.channels * pg.height * pg.width);
      conv.conv2dForward(g, O, act, x, weight, bias, out);
      be.maxPool2d(pg, out, pooled, argmax);
    },
    // dZ = act'(pooled) · dPooled routed to each argmax (act' at the argmax is act' of the pooled value), then an identity conv backward.
    conv2dPoolBackward(g, O, act, pool, x, dPooled, pooled, argmax, weight, dX, dWeight, dBias) {
      const pg = poolGeometry(g, O, pool);
      const dtype = storageDType(x);
      const size = pg.batch * pg.channels * pg.height * pg.width;
      const { outH, outW } = convOutputSize(pg);
      const pooledSize = pg.batch * pg.channels * outH * outW;
      if (!(dPooled.length >= pooledSize) || !(pooled.length >= pooledSize) || !(argmax.length >= pooledSize)) {
        throw new ShapeError(`conv2dPoolBackward: dPooled, pooled and argmax need ${pooledSize} elements, have ${dPooled.length}, ${pooled.length}, ${argmax.length}`);
      }
      let routed = dPooled;
      if (act !== 'identity' && pooledSize > 0) {
        routed = be.alloc(dtype, pooledSize);
        be.biasActivationBackward(act, 1, pooledSize, be.view(dPooled, 0, pooledSize), be.view(pooled, 0, pooledSize), routed, null);
      }
      const dZ = be.alloc(dtype, size);
      be.scatterAdd(be.view(routed, 0, pooledSize), argmax.subarray(0, pooledSize), dZ);
      conv.conv2dBackward(g, O, 'identity', x, dZ, dZ, weight, dX, dWeight, dBias);
    },
  };
}
