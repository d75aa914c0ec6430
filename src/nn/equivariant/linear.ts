/**
 * EquivariantLinear: y = act(x Wᵀ + b) with ρ2(g) W = W ρ1(g) for every
 * group element, so rotating the input rotates the output. W is
 * parameterised by one coefficient per orbit of (output, input) index pairs
 * (orbits.ts) and expanded with a gather (`take`) before a dense GEMM, so
 * forward and backward run on the backend's GEMM like a Linear layer, and
 * the gradient of each coefficient is the sum of its entries' gradients (a
 * scatter-add). The bias must satisfy ρ2(g) b = b: one value per orbit of
 * output positions ('orbit', the default) or one shared scalar ('shared').
 */
import type { Activation } from '../../backend/backend';
import { ShapeError } from '../../errors';
import { defaultGenerator } from '../../random';
import { Tensor } from '../../tensor/tensor';
import * as F from '../functional';
import * as init from '../init';
import { initialize, type Initializer, type LayerOptions } from '../layers';
import { Module } from '../module';
import { pairOrbits, pointOrbits, type PairOrbits } from './orbits';
import type { PermRep } from './representation';

export type EquivariantBias = 'orbit' | 'shared' | 'none';

export interface EquivariantLinearOptions extends LayerOptions {
  bias?: EquivariantBias;
  /** How the coefficients start (each is one entry of W; fans are those of the k×m matrix). Default uniformFanIn. */
  init?: Initializer;
  activation?: Activation;
}

export class EquivariantLinear extends Module {
  /** One coefficient per orbit of (output, input) pairs. */
  readonly coefficients: Tensor;
  readonly bias: Tensor | null;
  readonly orbits: PairOrbits;
  private readonly biasIndex: Int32Array | null;
  private readonly activation: Activation;

  constructor(readonly inRep: PermRep, readonly outRep: PermRep, options: EquivariantLinearOptions = {}) {
    super();
    const t = { dtype: options.dtype, backend: options.backend };
    const gen = options.generator ?? defaultGenerator;
    this.orbits = pairOrbits(outRep, inRep);
    const fans = { fanIn: inRep.size, fanOut: outRep.size };
    this.coefficients = this.registerParameter('coefficients',
      initialize(Tensor.zeros([this.orbits.count], t), options.init ?? 'uniformFanIn', gen, fans));
    const bias = options.bias ?? 'orbit';
    if (bias === 'none') {
      this.bias = null;
      this.biasIndex = null;
    } else {
      if (bias !== 'orbit' && bias !== 'shared') throw new RangeError(`EquivariantLinear: bias must be 'orbit', 'shared' or 'none', not '${String(bias)}'`);
      const points = bias === 'orbit' ? pointOrbits(outRep) : { orbitOf: new Int32Array(outRep.size), count: 1 };
      this.biasIndex = points.orbitOf;
      const count = points.count;
      this.bias = this.registerParameter('bias', init.uniformFanIn_(Tensor.zeros([count], t), gen, inRep.size));
    }
    this.activation = options.activation ?? 'identity';
  }

  get inFeatures(): number { return this.inRep.size; }
  get outFeatures(): number { return this.outRep.size; }

  /** The dense out×in weight the coefficients stand for (differentiable). */
  weight(coefficients: Tensor = this.coefficients): Tensor {
    return coefficients.take(this.orbits.orbitOf, [this.orbits.rows, this.orbits.cols]);
  }

  /** The bias of every output position (differentiable), or null. */
  fullBias(bias: Tensor | null = this.bias): Tensor | null {
    return bias && this.biasIndex ? bias.take(this.biasIndex) : null;
  }

  forward(x: Tensor): Tensor {
    return this.apply(x, this.coefficients, this.bias);
  }

  /** The layer's map with the given coefficients and bias in place of its own (e.g. for gradcheck). */
  apply(x: Tensor, coefficients: Tensor, bias: Tensor | null): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`EquivariantLinear: input [${x.shape.join(', ')}] must end in ${this.inFeatures} features`);
    }
    return F.linear(x, this.weight(coefficients), this.fullBias(bias), this.activation);
  }
}
