/** Convolution, max pooling and flatten as nn layers (PyTorch's nn.Conv2d, nn.MaxPool2d, nn.Flatten). */
import { defaultGenerator } from '../random';
import { Tensor } from '../tensor/tensor';
import { conv2d, conv2dMaxPool2d, flatten, maxPool2d, type ConvActivation } from './conv';
import * as init from './init';
import { initialize, type Initializer, type LayerOptions } from './layers';
import { Module } from './module';
import { ShapeError } from '../errors';

export interface Conv2dLayerOptions extends LayerOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  bias?: boolean;
  /** Fused after the bias ('relu' saves a pass and a tensor; default 'identity'). */
  activation?: ConvActivation;
  /** Weight initialiser; default U(±1/sqrt(fan_in)) with fan_in = inChannels·kH·kW, as PyTorch. */
  init?: Initializer;
}

function kernelPair(k: number | [number, number], name: string): [number, number] {
  const [a, b] = typeof k === 'number' ? [k, k] : k;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 1 || b < 1) {
    throw new ShapeError(`${name}: kernel size must be a positive integer (or a pair), not ${JSON.stringify(k)}`);
  }
  return [a, b];
}

/**
 * act(conv(x, W) + b) over N×C×H×W inputs: weight [out, in, kH, kW], bias
 * [out]; forward is im2col + one GEMM per image, backward GEMMs + col2im
 * (the backend's fused conv2dForward / conv2dBackward).
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number],
              private readonly options: Conv2dLayerOptions = {}) {
    super();
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new ShapeError(`Conv2d: ${what} must be a positive integer, not ${v}`);
    }
    this.kernelSize = kernelPair(kernelSize, 'Conv2d');
    const [kH, kW] = this.kernelSize;
    const t = { dtype: options.dtype, backend: options.backend };
    const gen = options.generator ?? defaultGenerator;
    const fanIn = inChannels * kH * kW;
    const fans = { fanIn, fanOut: outChannels * kH * kW };
    this.weight = this.registerParameter('weight',
      initialize(Tensor.zeros([outChannels, inChannels, kH, kW], t), options.init ?? 'uniformFanIn', gen, fans));
    this.bias = options.bias === false ? null
      : this.registerParameter('bias', init.uniformFanIn_(Tensor.zeros([outChannels], t), gen, fanIn));
  }

  /** "Conv2d(1→32, 3×3, stride 1, padding 1)": names the layer in errors. */
  get label(): string {
    const pad = this.options.padding ?? 0, stride = this.options.stride ?? 1;
    return `Conv2d(${this.inChannels}→${this.outChannels}, ${this.kernelSize.join('×')}, stride ${String(stride)}, padding ${String(pad)})`;
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.convOptions());
  }

  /** A MaxPool2d right after (the class itself, not a subclass with its own forward) runs fused: the convolution's output is never stored. */
  override fuseWithNext(next: Module): ((x: Tensor) => Tensor) | null {
    if (this.constructor !== Conv2d || next.constructor !== MaxPool2d) return null;
    const pool = next as MaxPool2d;
    return (x) => conv2dMaxPool2d(x, this.weight, this.bias, {
      ...this.convOptions(), pool: pool.kernelSize, poolStride: pool.stride, poolName: pool.label,
    });
  }

  private convOptions() {
    return { stride: this.options.stride, padding: this.options.padding, activation: this.options.activation, name: this.label };
  }
}

/** Max over kernel windows (stride defaults to the kernel size), no padding. */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];

  constructor(kernelSize: number | [number, number], readonly stride?: number | [number, number]) {
    super();
    this.kernelSize = kernelPair(kernelSize, 'MaxPool2d');
  }

  /** "MaxPool2d(2×2)": names the layer in errors. */
  get label(): string {
    return `MaxPool2d(${this.kernelSize.join('×')})`;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, name: this.label });
  }
}

/** N×… → N×(product of the rest). */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return flatten(x);
  }
}
