/**
 * The five networks of `equivariant-ae`, built from library layers:
 *
 * - mlp-ae: plain MLP autoencoder 784 → s1² → s2² (h) → s1² → 784;
 * - eq-ae: the same sizes with C4-equivariant layers between n×n images;
 * - attn-ae: eq-ae whose encoder also outputs the invariant attention pool
 *   g of h; the decoder's first layer reads [h‖g] and is equivariant for
 *   diag(ρ(g), I);
 * - inv-clf: C4-equivariant 28×28 → 28×28 layers, orbit-mean pooling (an
 *   invariant), then an MLP head: a G-invariant classifier;
 * - mlp-clf: a plain MLP classifier 784 → 256 → 128 → 10 for comparison.
 *
 * Hidden layers use ReLU (pointwise, so it commutes with the pixel
 * permutations), the code h is linear, reconstructions end in a sigmoid.
 */
import type { Backend, DType } from '../../backend/backend';
import {
  AttentionPool, EquivariantLinear, OrbitMeanPool, directSum, rotationRep, trivialRep, type EquivariantBias,
} from '../../nn/equivariant';
import { Linear, Sequential } from '../../nn/layers';
import { Module } from '../../nn/module';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';

export const MODEL_NAMES = ['mlp-ae', 'eq-ae', 'attn-ae', 'inv-clf', 'mlp-clf'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type Task = 'reconstruction' | 'classification';

export interface ModelOptions {
  /** Image sides of the encoder, input first (28) and the code h last, e.g. [28, 16, 8]. */
  sides: readonly number[];
  bias: EquivariantBias;
  generator: Generator;
  backend: Backend;
  dtype?: DType;
}

/** Encoder (→ h), optional invariant attention pool (h → g), decoder ([h‖g] or h → image). */
export class Autoencoder extends Module {
  readonly encoder: Sequential;
  readonly decoder: Sequential;
  readonly pool: AttentionPool | null;

  constructor(encoder: Module[], decoder: Module[], pool: AttentionPool | null = null) {
    super();
    this.encoder = this.registerModule('encoder', new Sequential(...encoder));
    this.pool = pool ? this.registerModule('pool', pool) : null;
    this.decoder = this.registerModule('decoder', new Sequential(...decoder));
  }

  /** The code the decoder reads: h, or [h‖g] with the attention pool. */
  encode(x: Tensor): Tensor {
    const h = this.encoder.forward(x);
    return this.pool ? Tensor.concat([h, this.pool.forward(h)], 1) : h;
  }

  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encode(x)).sigmoid();
  }
}

export interface BuiltModel {
  name: ModelName;
  task: Task;
  module: Module;
  /** Whether the model is built to be C4-equivariant (autoencoders) or invariant (classifiers). */
  symmetric: boolean;
}

export function buildModel(name: ModelName, o: ModelOptions): BuiltModel {
  const opts = { generator: o.generator, backend: o.backend, dtype: o.dtype };
  const eq = (a: number, b: number, last = false, inRep = rotationRep(a)) =>
    new EquivariantLinear(inRep, rotationRep(b), { ...opts, bias: o.bias, activation: last ? 'identity' : 'relu' });
  const lin = (a: number, b: number, last = false) => new Linear(a, b, { ...opts, activation: last ? 'identity' : 'relu' });
  const sides = o.sides;
  const pairs = sides.slice(1).map((s, i) => [sides[i], s] as const);
  const code = sides[sides.length - 1];
  const mirrored = pairs.map(([a, b]) => [b, a] as const).reverse();
  switch (name) {
    case 'mlp-ae':
      return {
        name, task: 'reconstruction', symmetric: false,
        module: new Autoencoder(
          pairs.map(([a, b], i) => lin(a * a, b * b, i === pairs.length - 1)),
          mirrored.map(([a, b], i) => lin(a * a, b * b, i === mirrored.length - 1))),
      };
    case 'eq-ae':
      return {
        name, task: 'reconstruction', symmetric: true,
        module: new Autoencoder(
          pairs.map(([a, b], i) => eq(a, b, i === pairs.length - 1)),
          mirrored.map(([a, b], i) => eq(a, b, i === mirrored.length - 1))),
      };
    case 'attn-ae': {
      const pool = new AttentionPool(rotationRep(code), opts);
      const hg = directSum(rotationRep(code), trivialRep(code * code));
      return {
        name, task: 'reconstruction', symmetric: true,
        module: new Autoencoder(
          pairs.map(([a, b], i) => eq(a, b, i === pairs.length - 1)),
          mirrored.map(([a, b], i) => eq(a, b, i === mirrored.length - 1, i === 0 ? hg : undefined)),
          pool),
      };
    }
    case 'inv-clf': {
      const side = sides[0];
      const pool = new OrbitMeanPool(rotationRep(side), opts);
      return {
        name, task: 'classification', symmetric: true,
        module: new Sequential(eq(side, side), eq(side, side), pool, lin(pool.orbitCount, 128), lin(128, 10, true)),
      };
    }
    case 'mlp-clf':
      return {
        name, task: 'classification', symmetric: false,
        module: new Sequential(lin(sides[0] * sides[0], 256), lin(256, 128), lin(128, 10, true)),
      };
  }
}
