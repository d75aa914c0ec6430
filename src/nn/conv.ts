/**
 * Differentiable 2-D convolution and max pooling over NCHW tensors (each one
 * recorded op, so backward runs one fused rule), and flatten. The
 * convolution is the backend's conv2dForward / conv2dBackward: im2col + GEMM
 * image by image, bias and activation fused (on cpu one native kernel each
 * way, threads over the images, nothing kept but x and the output).
 */
import { record } from '../autograd/graph';
import { convOutputSize, poolGeometry, type ConvGeometry } from '../backend/backend';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

/** The activations fused into a convolution. */
export type ConvActivation = 'identity' | 'relu';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  /** Fused after the bias: 'relu' or 'identity' (default). */
  activation?: ConvActivation;
  /** Names the layer in error messages. */
  name?: string;
}

function pair(v: number | [number, number], what: string, name: string, min: number): [number, number] {
  const [a, b] = typeof v === 'number' ? [v, v] : v;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < min || b < min) {
    throw new ShapeError(`${name}: ${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (or a pair), not ${JSON.stringify(v)}`);
  }
  return [a, b];
}

function geometryOf(shape: readonly number[], kernel: [number, number], stride: [number, number], padding: [number, number], name: string): ConvGeometry {
  if (shape.length !== 4) throw new ShapeError(`${name}: input must be N×C×H×W, not ${shapeString(shape)}`);
  const [batch, channels, height, width] = shape;
  const g: ConvGeometry = {
    batch, channels, height, width, kernelH: kernel[0], kernelW: kernel[1],
    strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1],
  };
  if (kernel[0] > height + 2 * padding[0] || kernel[1] > width + 2 * padding[1]) {
    throw new ShapeError(`${name}: the ${kernel[0]}×${kernel[1]} kernel is larger than the input ${shapeString(shape)} padded by ${padding[0]}×${padding[1]}`);
  }
  return g;
}

/** The checked geometry, filter count and activation of a convolution call. */
function convSetup(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions) {
  const name = options.name ?? 'conv2d';
  if (weight.ndim !== 4) throw new ShapeError(`${name}: weight must be O×C×kH×kW, not ${shapeString(weight.shape)}`);
  const [O, C, kH, kW] = weight.shape;
  if (x.ndim === 4 && x.shape[1] !== C) {
    throw new ShapeError(`${name}: input ${shapeString(x.shape)} has ${x.shape[1]} channels but the weight ${shapeString(weight.shape)} expects ${C}`);
  }
  if (bias && (bias.ndim !== 1 || bias.size !== O)) throw new ShapeError(`${name}: bias ${shapeString(bias.shape)} must have ${O} elements`);
  if (x.dtype !== weight.dtype || (bias && bias.dtype !== x.dtype)) {
    throw new ShapeError(`${name}: input, weight and bias must share a dtype (${x.dtype}, ${weight.dtype}${bias ? `, ${bias.dtype}` : ''})`);
  }
  const stride = pair(options.stride ?? 1, 'stride', name, 1);
  const padding = pair(options.padding ?? 0, 'padding', name, 0);
  const g = geometryOf(x.shape, [kH, kW], stride, padding, name);
  const act = options.activation ?? 'identity';
  if (act !== 'identity' && act !== 'relu') throw new RangeError(`${name}: activation must be 'identity' or 'relu', not ${JSON.stringify(act)}`);
  return { g, O, act };
}

/** act(conv(x, weight) + bias): x N×C×H×W, weight O×C×kH×kW, bias [O] or null (PyTorch's conv2d). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const { g, O, act } = convSetup(x, weight, bias, options);
  const { outH, outW } = convOutputSize(g);
  const out = x.backend.alloc(x.dtype, g.batch * O * outH * outW);
  x.backend.conv2dForward(g, O, act, x.storage, weight.storage, bias?.storage ?? null, out);
  return record('conv2d', [x, weight, bias], new Tensor(out, [g.batch, O, outH, outW], x.backend), { g, outChannels: O, act });
}

export interface Conv2dMaxPool2dOptions extends Conv2dOptions {
  /** The pooling window (kernel and stride, default stride = kernel). */
  pool: number | [number, number];
  poolStride?: number | [number, number];
  /** Names the pooling layer in error messages. */
  poolName?: string;
}

/**
 * maxPool2d(conv2d(x, weight, bias, options), pool, poolStride) as one op: the
 * same values and gradients, without the convolution's output ever being
 * stored (nn.Sequential runs a Conv2d followed by a MaxPool2d through it).
 */
export function conv2dMaxPool2d(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dMaxPool2dOptions): Tensor {
  const { g, O, act } = convSetup(x, weight, bias, options);
  const poolName = options.poolName ?? 'maxPool2d';
  const k = pair(options.pool, 'kernel size', poolName, 1);
  const stride = pair(options.poolStride ?? k, 'stride', poolName, 1);
  const { outH, outW } = convOutputSize(g);
  geometryOf([g.batch, O, outH, outW], k, stride, [0, 0], poolName); // a window larger than the convolution's output is a ShapeError naming the pool
  const pool = { kernelH: k[0], kernelW: k[1], strideH: stride[0], strideW: stride[1] };
  const pooled = convOutputSize(poolGeometry(g, O, pool));
  const size = g.batch * O * pooled.outH * pooled.outW;
  const out = x.backend.alloc(x.dtype, size);
  const argmax = new Int32Array(size);
  x.backend.conv2dPoolForward(g, O, act, pool, x.storage, weight.storage, bias?.storage ?? null, out, argmax);
  return record('conv2dMaxPool2d', [x, weight, bias], new Tensor(out, [g.batch, O, pooled.outH, pooled.outW], x.backend),
    { g, outChannels: O, act, pool, argmax });
}

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: number | [number, number];
  name?: string;
}

/** Max over kernel windows of N×C×H×W x (no padding); backward routes each gradient to its window's maximum. */
export function maxPool2d(x: Tensor, kernel: number | [number, number], options: MaxPool2dOptions = {}): Tensor {
  const name = options.name ?? 'maxPool2d';
  const k = pair(kernel, 'kernel size', name, 1);
  const stride = pair(options.stride ?? k, 'stride', name, 1);
  const g = geometryOf(x.shape, k, stride, [0, 0], name);
  const { outH, outW } = convOutputSize(g);
  const size = g.batch * g.channels * outH * outW;
  const out = x.backend.alloc(x.dtype, size);
  const argmax = new Int32Array(size);
  x.backend.maxPool2d(g, x.storage, out, argmax);
  return record('maxPool2d', [x], new Tensor(out, [g.batch, g.channels, outH, outW], x.backend), { argmax });
}

/** x reshaped to N × (everything else), as torch.flatten(x, 1). */
export function flatten(x: Tensor): Tensor {
  if (x.ndim < 1) throw new ShapeError(`flatten: needs at least one dimension, not ${shapeString(x.shape)}`);
  return x.reshape(x.shape[0], x.shape[0] === 0 ? 0 : x.size / x.shape[0]);
}

