/**
 * Chains of layers. `Sequential` is itself a layer: forward runs the layers
 * in order, backward in reverse, and its parameters / gradients / cache are
 * the layers' under "<layer name>.<key>". `Model` adds the cost (the seed's
 * NeuralNetwork): `loss(X, Y)` runs forward and the cost, `backward()` starts
 * from dJ/dŶ and returns dJ/dX, every layer's gradients filled.
 */
import { noGrad } from '../../autograd/mode';
import { ShapeError } from '../../errors';
import { shapeString } from '../../tensor/shape';
import type { Tensor } from '../../tensor/tensor';
import { LayerBase, type Layer, type TensorMap } from './layer';
import type { CrossEntropy } from './losses';

function prefixed(layers: readonly Layer[], pick: (l: Layer) => TensorMap): TensorMap {
  const out: TensorMap = new Map();
  for (const l of layers) for (const [k, v] of pick(l)) out.set(`${l.name}.${k}`, v);
  return out;
}

export class Sequential implements Layer {
  readonly layers: readonly Layer[];
  name: string;

  /** Layers without a name of their own are called `<kind>_<index>` (fully_connected_0, softmax_1, …); names must differ. */
  constructor(layers: readonly Layer[], options: { name?: string } = {}) {
    if (layers.length === 0) throw new RangeError('Sequential needs at least one layer');
    this.name = options.name ?? 'sequential';
    layers.forEach((l, i) => {
      if (l instanceof LayerBase && !l.hasExplicitName) l.name = `${l.name.replace(/_\d+$/, '')}_${i}`;
    });
    const seen = new Set<string>();
    for (const l of layers) {
      if (seen.has(l.name)) throw new RangeError(`Sequential: two layers are named "${l.name}"`);
      seen.add(l.name);
    }
    this.layers = [...layers];
  }

  /** Every layer's parameters as "<layer>.<key>" (the tensors themselves; a lazily built layer has none before its first forward). */
  get parameters(): TensorMap { return prefixed(this.layers, (l) => l.parameters); }
  get gradients(): TensorMap { return prefixed(this.layers, (l) => l.gradients); }
  get cache(): TensorMap { return prefixed(this.layers, (l) => l.cache); }

  forward(X: Tensor): Tensor {
    return this.layers.reduce((h, l) => l.forward(h), X);
  }

  backward(dLdY: Tensor): Tensor {
    return this.layers.reduceRight((g, l) => l.backward(g), dLdY);
  }

  /** Name → parameter as a plain object (for io.saveSafetensors). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.parameters);
  }

  /** Copies values into the parameters; names and shapes must match exactly. */
  loadStateDict(state: Record<string, Tensor>): void {
    const own = this.parameters;
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    if (missing.length || unexpected.length) {
      throw new ShapeError(`loadStateDict: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
    }
    for (const [k, p] of own) {
      if (state[k].shape.join() !== p.shape.join()) {
        throw new ShapeError(`loadStateDict: ${k} is ${shapeString(state[k].shape)}, the model has ${shapeString(p.shape)}`);
      }
    }
    noGrad(() => { for (const [k, p] of own) p.copy_(state[k]); });
  }

  /** Number of trainable scalars (of the layers built so far). */
  parameterCount(): number {
    let n = 0;
    for (const p of this.parameters.values()) n += p.size;
    return n;
  }
}

export class Model extends Sequential {
  constructor(layers: readonly Layer[], readonly cost: CrossEntropy, options: { name?: string } = {}) {
    super(layers, { name: options.name ?? 'model' });
  }

  /** The cost J of the batch (runs forward; the layers and the cost cache what backward needs). */
  loss(X: Tensor, Y: Tensor): number {
    return this.cost.forward(Y, this.forward(X));
  }

  /** Backpropagates dJ/dŶ of the last loss() (or the given dL/dŶ) through every layer; returns dJ/dX. */
  override backward(dLdY?: Tensor): Tensor {
    return super.backward(dLdY ?? this.cost.backward());
  }

  /** The predicted class of every row: argmax of the output. */
  predict(X: Tensor): Int32Array {
    return this.forward(X).argmax(1);
  }
}
