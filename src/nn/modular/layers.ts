/**
 * The fully-connected layer of seed 003: Y = σ(X W + b) for a batch X
 * (B × n_in), with W n_in × n_out and b 1 × n_out (row vectors, as the seed
 * writes it). Backward, with dL/dZ from the activation:
 *   dL/dW = Xᵀ dL/dZ,   dL/db = Σ_rows dL/dZ,   dL/dX = dL/dZ Wᵀ.
 * For Linear and ReLU the bias add and the activation are one fused backend
 * kernel each way (biasActivationForward / biasActivationBackward, which also
 * sums dL/db); the products are GEMMs with transposed operands (no copies).
 */
import { noGrad } from '../../autograd/mode';
import { backend as backendByName, getBackend } from '../../backend';
import type { Backend, BackendName, DType } from '../../backend/backend';
import { DTypeError, ShapeError } from '../../errors';
import { defaultGenerator, type Generator } from '../../random';
import { shapeString } from '../../tensor/shape';
import { getDefaultDType, Tensor } from '../../tensor/tensor';
import * as F from '../functional';
import { activationFromName, type Activation, type ActivationName } from './activations';
import { LayerBase, LayerStateError } from './layer';
import { initializer, type InitName, type WeightInitializer } from './weights';

export interface FullyConnectedOptions {
  /** Input width; without it the parameters are created on the first forward from X's width, dtype and backend (as the seed does). */
  nIn?: number;
  /** Weight initialiser: a name or a function of the shape (default xavier_uniform, the seed's recommendation). Biases start at 0. */
  init?: InitName | WeightInitializer;
  generator?: Generator;
  /** dtype and backend of parameters made up front (with nIn); lazily made ones follow the first input. */
  dtype?: DType;
  backend?: BackendName | Backend;
  name?: string;
}

function checkUnits(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`FullyConnected: ${what} must be a positive integer, not ${value}`);
  return value;
}

export class FullyConnected extends LayerBase {
  readonly activation: Activation;
  private nInValue: number | null = null;
  private readonly init: WeightInitializer;
  private readonly generator: Generator;

  constructor(readonly nOut: number, activation: Activation | ActivationName = 'linear', private readonly options: FullyConnectedOptions = {}) {
    super('FullyConnected', options.name);
    checkUnits(nOut, 'n_out');
    this.activation = typeof activation === 'string' ? activationFromName(activation) : activation;
    const how = options.init ?? 'xavier_uniform';
    this.init = typeof how === 'function' ? how : initializer(how);
    this.generator = options.generator ?? defaultGenerator;
    if (options.nIn !== undefined) {
      const be = options.backend === undefined ? getBackend() : typeof options.backend === 'string' ? backendByName(options.backend) : options.backend;
      this.initParameters(checkUnits(options.nIn, 'n_in'), options.dtype ?? getDefaultDType(), be);
    }
  }

  /** The input width (null until the parameters exist). */
  get nIn(): number | null { return this.nInValue; }

  /** W (n_in × n_out) from the initialiser, b = 0 (1 × n_out); zero gradients; an empty cache. */
  private initParameters(nIn: number, dtype: DType, be: Backend): void {
    const W = this.init([nIn, this.nOut], { dtype, backend: be, generator: this.generator });
    if (W.shape.join() !== `${nIn},${this.nOut}` || W.dtype !== dtype || W.backend !== be) {
      throw new ShapeError(`${this.label}: the initialiser returned ${shapeString(W.shape)} ${W.dtype} on ${W.backend.name}, not [${nIn}, ${this.nOut}] ${dtype} on ${be.name}`);
    }
    const b = Tensor.zeros([1, this.nOut], { dtype, backend: be });
    this.nInValue = nIn;
    this.parameters.set('W', W);
    this.parameters.set('b', b);
    this.gradients.set('W', W.zerosLike());
    this.gradients.set('b', b.zerosLike());
    this.cache.clear();
  }

  private param(key: 'W' | 'b'): Tensor {
    const p = this.parameters.get(key);
    if (!p) throw new LayerStateError(`${this.label}: the parameter ${key} is missing`);
    return p;
  }

  /** Y = σ(X W + b); caches X and Y (and Z = X W + b where the activation is not fused, i.e. softmax). */
  forward(X: Tensor): Tensor {
    if (X.ndim !== 2) throw new ShapeError(`${this.label}: expects a batch B×n_in, not ${shapeString(X.shape)}`);
    if (this.nInValue === null) this.initParameters(checkUnits(X.shape[1], 'the input width'), X.dtype, X.backend);
    const W = this.param('W'), b = this.param('b');
    if (X.shape[1] !== this.nInValue) {
      throw new ShapeError(`${this.label}: the input has ${X.shape[1]} columns but the layer has n_in = ${this.nInValue} (X is ${shapeString(X.shape)})`);
    }
    if (X.dtype !== W.dtype) throw new DTypeError(`${this.label}: the input is ${X.dtype} but the parameters are ${W.dtype}`);
    if (X.backend !== W.backend) throw new RangeError(`${this.label}: the input is on the ${X.backend.name} backend but the parameters are on ${W.backend.name}`);
    const act = this.activation.fused;
    this.cache.clear();
    this.cache.set('X', X);
    return noGrad(() => {
      const XW = X.matmul(W);
      if (act !== null) {
        const Y = F.biasActivation(XW, b, act);
        if (act === 'identity') this.cache.set('Z', Y);
        this.cache.set('Y', Y);
        return Y;
      }
      const Z = F.biasActivation(XW, b, 'identity');
      const Y = this.activation.forward(Z);
      this.cache.set('Z', Z);
      this.cache.set('Y', Y);
      return Y;
    });
  }

  /** Fills gradients W and b from dL/dY and returns dL/dX. */
  backward(dLdY: Tensor): Tensor {
    const X = this.cached('X'), Y = this.cached('Y');
    this.checkUpstream(dLdY, Y);
    const W = this.param('W');
    const act = this.activation.fused;
    return noGrad(() => {
      let dZ: Tensor, db: Tensor;
      if (act !== null) {
        const [m, n] = Y.shape;
        const dz = Y.backend.alloc(Y.dtype, Y.size);
        const dbias = Y.backend.alloc(Y.dtype, n);
        Y.backend.biasActivationBackward(act, m, n, dLdY.storage, Y.storage, dz, dbias);
        dZ = new Tensor(dz, Y.shape, Y.backend);
        db = new Tensor(dbias, [1, n], Y.backend);
      } else {
        dZ = this.activation.backward(dLdY);
        db = dZ.sum(0, true);
      }
      this.gradients.set('W', X.matmul(dZ, { transposeA: true }));
      this.gradients.set('b', db);
      return dZ.matmul(W, { transposeB: true });
    });
  }

  /** "FullyConnected 4→8 relu" (n_in `?` until known). */
  describe(): string {
    return `${this.kind} ${this.nInValue ?? '?'}→${this.nOut} ${this.activation.kind.toLowerCase()}`;
  }

  /** The options the layer was made with (for logging hyper-parameters). */
  get config(): { nIn: number | null; nOut: number; activation: string; init: string } {
    const how = this.options.init ?? 'xavier_uniform';
    return { nIn: this.nInValue, nOut: this.nOut, activation: this.activation.kind.toLowerCase(), init: typeof how === 'string' ? how : 'custom' };
  }
}
