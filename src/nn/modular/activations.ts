/**
 * Activation functions as layers (no parameters). Each caches its input `Z`
 * and output `Y` in forward; backward maps dL/dY to dL/dZ:
 *   Linear:  Y = Z,            dL/dZ = dL/dY
 *   ReLU:    Y = max(Z, 0),    dL/dZ = dL/dY ⊙ [Y > 0]       (the fused bias+activation kernels)
 *   Softmax: Y_i = softmax(Z_i) over each row (stable: the row maximum is subtracted),
 *            dL/dZ_i = J_i dL/dY_i with the Jacobian J_i = diag(s_i) − s_i s_iᵀ, i.e.
 *            dL/dZ_i = s_i ⊙ (dL/dY_i − (dL/dY_i · s_i))      (vectorised over the batch)
 * Inside a FullyConnected layer, Linear and ReLU are fused with the bias add
 * (one native kernel each way, see `fused`).
 */
import { noGrad } from '../../autograd/mode';
import type { Activation as FusedActivation } from '../../backend/backend';
import { Tensor } from '../../tensor/tensor';
import * as F from '../functional';
import { LayerBase, rowsAndWidth } from './layer';

export type ActivationName = 'linear' | 'relu' | 'softmax';
export const ACTIVATION_NAMES: readonly ActivationName[] = ['linear', 'relu', 'softmax'];

export abstract class Activation extends LayerBase {
  /** The bias+activation kernel that computes this activation fused with a bias add, or null when there is none. */
  abstract readonly fused: FusedActivation | null;

  protected abstract apply(Z: Tensor): Tensor;
  protected abstract derivative(Z: Tensor, Y: Tensor, dLdY: Tensor): Tensor;

  /** Y = σ(Z); caches Z and Y. */
  forward(Z: Tensor): Tensor {
    rowsAndWidth(Z, this.label);
    const Y = noGrad(() => this.apply(Z));
    this.cache.set('Z', Z);
    this.cache.set('Y', Y);
    return Y;
  }

  /** dL/dZ from dL/dY and the cached Z, Y. */
  backward(dLdY: Tensor): Tensor {
    const Z = this.cached('Z');
    const Y = this.cached('Y');
    this.checkUpstream(dLdY, Y);
    return noGrad(() => this.derivative(Z, Y, dLdY));
  }
}

/** The identity f(z) = z. */
export class Linear extends Activation {
  readonly fused = 'identity' as const;
  constructor(options: { name?: string } = {}) { super('Linear', options.name); }
  protected apply(Z: Tensor): Tensor { return Z; }
  protected derivative(_Z: Tensor, _Y: Tensor, dLdY: Tensor): Tensor { return dLdY; }
}

/** max(z, 0) elementwise, through the backend's bias+activation kernels (with no bias). */
export class ReLU extends Activation {
  readonly fused = 'relu' as const;
  constructor(options: { name?: string } = {}) { super('ReLU', options.name); }

  protected apply(Z: Tensor): Tensor {
    const { m, n } = rowsAndWidth(Z, this.label);
    const out = Z.backend.alloc(Z.dtype, Z.size);
    Z.backend.biasActivationForward('relu', m, n, Z.storage, null, out);
    return new Tensor(out, Z.shape, Z.backend);
  }

  protected derivative(_Z: Tensor, Y: Tensor, dLdY: Tensor): Tensor {
    const { m, n } = rowsAndWidth(Y, this.label);
    const dZ = Y.backend.alloc(Y.dtype, Y.size);
    Y.backend.biasActivationBackward('relu', m, n, dLdY.storage, Y.storage, dZ, null);
    return new Tensor(dZ, Y.shape, Y.backend);
  }
}

/** Softmax over the last axis; backward through its Jacobian (not the softmax + cross-entropy shortcut). */
export class Softmax extends Activation {
  readonly fused = null;
  constructor(options: { name?: string } = {}) { super('Softmax', options.name); }

  protected apply(Z: Tensor): Tensor { return F.softmax(Z); }

  protected derivative(_Z: Tensor, s: Tensor, dLdY: Tensor): Tensor {
    // (J dL/dY)_j = Σ_k s_j (δ_jk − s_k) dL/dY_k = s_j (dL/dY_j − Σ_k s_k dL/dY_k), every row at once.
    return s.mul(dLdY.sub(dLdY.mul(s).sum(-1, true)));
  }
}

/** A fresh activation layer from its name (the seed's `activation` argument). */
export function activationFromName(name: ActivationName, options: { name?: string } = {}): Activation {
  switch (name) {
    case 'linear': return new Linear(options);
    case 'relu': return new ReLU(options);
    case 'softmax': return new Softmax(options);
    default: throw new RangeError(`Unknown activation "${String(name)}" (expected one of ${ACTIVATION_NAMES.join(', ')})`);
  }
}
