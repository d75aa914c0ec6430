/**
 * The layer contract of the course's "neural nets package" (seed 003): a
 * layer holds `parameters` (name → tensor), the `gradients` of the loss with
 * respect to them (same names), and a `cache` of what its forward pass
 * computed for the backward pass. `forward(X)` maps a batch (rows are
 * samples) to the layer's output; `backward(dLdY)` takes the gradient of the
 * loss with respect to that output, fills `gradients` and returns the
 * gradient with respect to the input. Everything is batched: the math runs
 * as Tensor ops (autograd off) and the backends' fused kernels, never as a
 * loop over samples.
 */
import { DTypeError, ShapeError } from '../../errors';
import { shapeString } from '../../tensor/shape';
import type { Tensor } from '../../tensor/tensor';

/** Name → tensor, in insertion order (the seed's OrderedDict). */
export type TensorMap = Map<string, Tensor>;

export interface Layer {
  /** The layer's name: prefixes its parameters in a model ("fully_connected_0.W") and appears in its errors. */
  name: string;
  readonly parameters: TensorMap;
  readonly gradients: TensorMap;
  readonly cache: TensorMap;
  forward(X: Tensor): Tensor;
  backward(dLdY: Tensor): Tensor;
}

/** A layer used out of order (backward before forward) or before it has parameters. */
export class LayerStateError extends Error {
  override name = 'LayerStateError';
}

/** The parts every concrete layer shares: the three maps, its name and the checks that name it in errors. */
export abstract class LayerBase implements Layer {
  readonly parameters: TensorMap = new Map();
  readonly gradients: TensorMap = new Map();
  readonly cache: TensorMap = new Map();
  name: string;
  /** Whether the name was given by the user (a model gives unnamed layers `<kind>_<index>`). */
  readonly hasExplicitName: boolean;

  protected constructor(readonly kind: string, name?: string) {
    this.name = name ?? defaultLayerName(kind);
    this.hasExplicitName = name !== undefined;
  }

  abstract forward(X: Tensor): Tensor;
  abstract backward(dLdY: Tensor): Tensor;

  /** How errors name the layer: `FullyConnected "fully_connected_0"`. */
  get label(): string {
    return `${this.kind} "${this.name}"`;
  }

  /** A cached tensor, or a LayerStateError saying backward came before forward. */
  protected cached(key: string): Tensor {
    const t = this.cache.get(key);
    if (!t) throw new LayerStateError(`${this.label}: backward called before forward (no cached "${key}")`);
    return t;
  }

  /** The gradient flowing in must have the shape (and dtype and backend) of the output cached by forward. */
  protected checkUpstream(dLdY: Tensor, Y: Tensor): void {
    if (dLdY.shape.join() !== Y.shape.join()) {
      throw new ShapeError(`${this.label}: dLdY is ${shapeString(dLdY.shape)} but the forward output was ${shapeString(Y.shape)}`);
    }
    if (dLdY.dtype !== Y.dtype) throw new DTypeError(`${this.label}: dLdY is ${dLdY.dtype} but the forward output was ${Y.dtype}`);
    if (dLdY.backend !== Y.backend) {
      throw new RangeError(`${this.label}: dLdY is on the ${dLdY.backend.name} backend but the layer ran on ${Y.backend.name}`);
    }
  }
}

/** "FullyConnected" → "fully_connected". */
export function defaultLayerName(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** Rows m and width n of a tensor viewed as m×n over its last axis. */
export function rowsAndWidth(x: Tensor, label: string): { m: number; n: number } {
  if (x.ndim < 1) throw new ShapeError(`${label}: expects a batch with at least one dimension, not a scalar`);
  const n = x.shape[x.ndim - 1];
  return { m: n === 0 ? 0 : x.size / n, n };
}
