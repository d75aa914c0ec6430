/**
 * Weight initialisers for the modular layers. Weights are laid out as the
 * seed's row-vector convention has them: W is n_in × n_out (h W + b), and
 * for ≥3-D shapes (…, in, out) with the leading axes the receptive field.
 * So fan_in = shape[-2]·receptive and fan_out = shape[-1]·receptive (for a
 * plain matrix: fan_in = n_in, fan_out = n_out):
 *   uniform         U(low, high)                       (default U(−1, 1))
 *   normal          N(mean, std²)                      (default N(0, 1))
 *   xavier_uniform  U(±gain·sqrt(6 / (fan_in + fan_out)))
 *   xavier_normal   N(0, gain²·2 / (fan_in + fan_out))
 *   he_uniform      U(±sqrt(6 / fan_in))
 *   he_normal       N(0, 2 / fan_in)
 * Draws come from a seeded Generator (the global one by default), through the
 * same fill routines as nn.init.
 */
import type { Backend, BackendName, DType } from '../../backend/backend';
import { ShapeError } from '../../errors';
import { defaultGenerator, type Generator } from '../../random';
import { shapeString, type Shape } from '../../tensor/shape';
import { Tensor } from '../../tensor/tensor';
import * as init from '../init';

export type InitName = 'uniform' | 'normal' | 'xavier_uniform' | 'xavier_normal' | 'he_uniform' | 'he_normal';
export const INIT_NAMES: readonly InitName[] = ['uniform', 'normal', 'xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal'];

export interface InitOptions {
  generator?: Generator;
  dtype?: DType;
  backend?: BackendName | Backend;
  /** Xavier's gain (default 1). */
  gain?: number;
  /** uniform's range (default −1, 1). */
  low?: number;
  high?: number;
  /** normal's mean and standard deviation (default 0, 1). */
  mean?: number;
  std?: number;
}

/** A function from a weight shape to a freshly initialised weight. */
export type WeightInitializer = (shape: Shape, options?: Pick<InitOptions, 'dtype' | 'backend' | 'generator'>) => Tensor;

/** fan_in and fan_out of an n_in × n_out weight (or …×in×out, the leading axes the receptive field). */
export function fans(shape: Shape): init.Fans {
  if (shape.length < 2) throw new ShapeError(`Fan-in/fan-out need a weight of at least 2 dimensions, not ${shapeString(shape)}`);
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** A new weight of `shape` drawn from the named initialiser. */
export function initWeights(name: InitName, shape: Shape, options: InitOptions = {}): Tensor {
  const gen = options.generator ?? defaultGenerator;
  const t = Tensor.zeros(shape, { dtype: options.dtype, backend: options.backend });
  const gain = options.gain ?? 1;
  switch (name) {
    case 'uniform': {
      const low = options.low ?? -1, high = options.high ?? 1;
      if (!(high > low)) throw new RangeError(`uniform initialiser: high (${high}) must be above low (${low})`);
      return init.uniform_(t, low, high, gen);
    }
    case 'normal': {
      const std = options.std ?? 1;
      if (!(std >= 0)) throw new RangeError(`normal initialiser: std must be ≥ 0, not ${std}`);
      return init.normal_(t, options.mean ?? 0, std, gen);
    }
    case 'xavier_uniform': return init.xavierUniform_(t, gain, gen, fans(shape));
    case 'xavier_normal': return init.xavierNormal_(t, gain, gen, fans(shape));
    case 'he_uniform': return init.heUniform_(t, gen, fans(shape));
    case 'he_normal': return init.heNormal_(t, gen, fans(shape));
    default: throw new RangeError(`Unknown initialiser "${String(name)}" (expected one of ${INIT_NAMES.join(', ')})`);
  }
}

/** The named initialiser with its options bound: `initializer('he_normal')([4, 8])`. */
export function initializer(name: InitName, options: InitOptions = {}): WeightInitializer {
  if (!INIT_NAMES.includes(name)) throw new RangeError(`Unknown initialiser "${String(name)}" (expected one of ${INIT_NAMES.join(', ')})`);
  return (shape, o = {}) => initWeights(name, shape, { ...options, ...o, generator: o.generator ?? options.generator });
}

export const uniform = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('uniform', shape, options);
export const normal = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('normal', shape, options);
export const xavierUniform = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('xavier_uniform', shape, options);
export const xavierNormal = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('xavier_normal', shape, options);
export const heUniform = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('he_uniform', shape, options);
export const heNormal = (shape: Shape, options: InitOptions = {}): Tensor => initWeights('he_normal', shape, options);
