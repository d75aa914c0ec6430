/**
 * Differentiable 2-D convolution and max pooling over NCHW tensors (each one
 * recorded op, so backward runs one fused rule), and flatten.
 *
 * conv2d keeps the im2col columns of its input for the weight gradient. A
 * ConvWorkspace (nn.Conv2d has one) lends those buffers from step to step
 * instead of allocating them: a buffer still held by a graph whose backward
 * has not run is never lent again, and a rule that finds its columns lent
 * out since recomputes them, so reuse never changes a gradient.
 */
import { record } from '../autograd/graph';
import { isGradEnabled } from '../autograd/mode';
import { storageDType, type ConvGeometry, type DType, type Storage } from '../backend/backend';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import { colsLength, convForward, convPlan, type ConvActivation, type ConvPlan } from './conv_kernels';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  /** Fused after the bias: 'relu' or 'identity' (default). */
  activation?: ConvActivation;
  /** Buffers reused across calls (see ConvWorkspace). */
  workspace?: ConvWorkspace;
  /** Names the layer in error messages. */
  name?: string;
}

/** The im2col buffers of one layer, lent to its forward and backward passes. */
export class ConvWorkspace {
  /** Bumped whenever the columns buffer is lent again: a graph holding an older generation recomputes its columns. */
  generation = 0;
  private cols: Storage | null = null;
  private scratch: Storage | null = null;
  /** Whether a recorded graph still needs `cols` (its backward has not run yet). */
  private held = false;

  /** Columns for a forward pass: the kept buffer when it fits and is free, else a new one. `hold`: a graph will read it in backward. */
  lendColumns(t: Tensor, length: number, hold: boolean): { cols: Storage; generation: number } {
    if (this.held || !this.fits(this.cols, t.dtype, length)) {
      if (this.held) return { cols: t.backend.alloc(t.dtype, length), generation: -1 };
      this.cols = t.backend.alloc(t.dtype, length);
    }
    this.generation++;
    this.held = hold;
    return { cols: this.cols!, generation: this.generation };
  }

  /** Called by backward when it is done with the columns of `generation`. */
  release(generation: number): void {
    if (generation === this.generation) this.held = false;
  }

  /** The dCols scratch of a backward pass (free as soon as col2im has read it). */
  scratchFor(t: Tensor, length: number): Storage {
    if (!this.fits(this.scratch, t.dtype, length)) this.scratch = t.backend.alloc(t.dtype, length);
    return this.scratch!;
  }

  private fits(s: Storage | null, dtype: DType, length: number): boolean {
    return s !== null && s.length === length && storageDType(s) === dtype;
  }
}

function pair(v: number | [number, number], what: string, name: string, min: number): [number, number] {
  const [a, b] = typeof v === 'number' ? [v, v] : v;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < min || b < min) {
    throw new ShapeError(`${name}: ${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (or a pair), not ${JSON.stringify(v)}`);
  }
  return [a, b];
}

function geometryOf(x: Tensor, kernel: [number, number], stride: [number, number], padding: [number, number], name: string): ConvGeometry {
  if (x.ndim !== 4) throw new ShapeError(`${name}: input must be N×C×H×W, not ${shapeString(x.shape)}`);
  const [batch, channels, height, width] = x.shape;
  const g: ConvGeometry = {
    batch, channels, height, width, kernelH: kernel[0], kernelW: kernel[1],
    strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1],
  };
  if (kernel[0] > height + 2 * padding[0] || kernel[1] > width + 2 * padding[1]) {
    throw new ShapeError(`${name}: the ${kernel[0]}×${kernel[1]} kernel is larger than the input ${shapeString(x.shape)} padded by ${padding[0]}×${padding[1]}`);
  }
  return g;
}

/** act(conv(x, weight) + bias): x N×C×H×W, weight O×C×kH×kW, bias [O] or null (PyTorch's conv2d). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
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
  const g = geometryOf(x, [kH, kW], stride, padding, name);
  const plan = convPlan(g, O);
  const act = options.activation ?? 'identity';
  const recorded = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false));
  const length = colsLength(plan);
  const ws = options.workspace ?? null;
  const { cols, generation } = ws ? ws.lendColumns(x, length, recorded) : { cols: x.backend.alloc(x.dtype, length), generation: -1 };
  const out = x.backend.alloc(x.dtype, g.batch * O * plan.positions);
  convForward(x.backend, plan, x.storage, weight.storage, bias?.storage ?? null, act, cols, out);
  return record('conv2d', [x, weight, bias], new Tensor(out, [g.batch, O, plan.outH, plan.outW], x.backend),
    { plan, act, cols, workspace: ws, generation });
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
  const g = geometryOf(x, k, stride, [0, 0], name);
  const plan = convPlan(g, g.channels);
  const size = g.batch * g.channels * plan.positions;
  const out = x.backend.alloc(x.dtype, size);
  const argmax = new Int32Array(size);
  x.backend.maxPool2d(g, x.storage, out, argmax);
  return record('maxPool2d', [x], new Tensor(out, [g.batch, g.channels, plan.outH, plan.outW], x.backend), { argmax });
}

/** x reshaped to N × (everything else), as torch.flatten(x, 1). */
export function flatten(x: Tensor): Tensor {
  if (x.ndim < 1) throw new ShapeError(`flatten: needs at least one dimension, not ${shapeString(x.shape)}`);
  return x.reshape(x.shape[0], x.shape[0] === 0 ? 0 : x.size / x.shape[0]);
}

export type { ConvPlan };
