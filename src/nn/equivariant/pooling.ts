/**
 * Invariant pooling of G-equivariant features h (batch × k, with the group
 * permuting the k positions):
 *
 * - AttentionPool: α_i = softmax_i(q · ρ(g_i) h), g = Σ_i α_i ρ(g_i) h with a
 *   learnable query q. Replacing h by ρ(g') h only reorders the set
 *   {ρ(g_i) h} (g' g_i runs over G), so α is permuted the same way and g is
 *   unchanged: g is G-invariant, an attention-weighted Reynolds average.
 * - OrbitMeanPool: the mean of h over each orbit of positions (the Reynolds
 *   operator (1/|G|) Σ ρ(g) h keeps exactly these values), batch × orbits.
 */
import { ShapeError } from '../../errors';
import { defaultGenerator } from '../../random';
import { Tensor, allocate, getDefaultDType } from '../../tensor/tensor';
import * as F from '../functional';
import * as init from '../init';
import type { LayerOptions } from '../layers';
import { Module } from '../module';
import { pointOrbits } from './orbits';
import { representationElements, rowActionIndex, type PermRep } from './representation';

function checkFeatures(h: Tensor, k: number, what: string): number {
  if (h.ndim !== 2 || h.shape[1] !== k) throw new ShapeError(`${what}: h must be batch×${k}, not [${h.shape.join(', ')}]`);
  return h.shape[0];
}

export class AttentionPool extends Module {
  readonly query: Tensor;
  /** ρ(g_i) for every group element, identity first. */
  readonly elements: readonly Int32Array[];
  readonly features: number;

  constructor(rep: PermRep, options: LayerOptions = {}) {
    super();
    [this.elements] = representationElements(rep);
    this.features = rep.size;
    const q = Tensor.zeros([rep.size], { dtype: options.dtype, backend: options.backend });
    this.query = this.registerParameter('query', init.uniformFanIn_(q, options.generator ?? defaultGenerator, rep.size));
  }

  /** Every ρ(g_i) h as rows (b, i) of a (batch·|G|) × k matrix. */
  private orbit(h: Tensor): Tensor {
    const batch = checkFeatures(h, this.features, 'AttentionPool');
    return h.take(rowActionIndex(this.elements, batch), [batch * this.elements.length, this.features]);
  }

  /** α: batch × |G| attention weights over the group elements. */
  attention(h: Tensor, query: Tensor = this.query): Tensor {
    return this.weightsOf(this.orbit(h), h.shape[0], query);
  }

  private weightsOf(orbit: Tensor, batch: number, query: Tensor): Tensor {
    return F.softmax(orbit.matmul(query).reshape(batch, this.elements.length));
  }

  /** g = Σ_i α_i ρ(g_i) h: batch × k, invariant to ρ(g) h. */
  forward(h: Tensor): Tensor {
    return this.apply(h, this.query);
  }

  /** The pool with the given query in place of its own (e.g. for gradcheck). */
  apply(h: Tensor, query: Tensor): Tensor {
    const orbit = this.orbit(h);
    const batch = h.shape[0];
    const alpha = this.weightsOf(orbit, batch, query);
    return alpha.reshape(batch, this.elements.length, 1).mul(orbit.reshape(batch, this.elements.length, this.features)).sum(1);
  }
}

export class OrbitMeanPool extends Module {
  /** k × orbits matrix averaging each orbit's positions. */
  private readonly averaging: Tensor;
  readonly features: number;
  readonly orbitCount: number;

  constructor(rep: PermRep, options: Pick<LayerOptions, 'dtype' | 'backend'> = {}) {
    super();
    const { orbitOf, count } = pointOrbits(rep);
    const sizes = new Float64Array(count);
    for (const o of orbitOf) sizes[o]++;
    const averaging = allocate(options.dtype ?? getDefaultDType(), rep.size * count);
    orbitOf.forEach((o, a) => { averaging[a * count + o] = 1 / sizes[o]; });
    this.averaging = Tensor.from(averaging, { shape: [rep.size, count], ...options });
    this.features = rep.size;
    this.orbitCount = count;
  }

  forward(h: Tensor): Tensor {
    checkFeatures(h, this.features, 'OrbitMeanPool');
    return h.matmul(this.averaging);
  }
}
