/**
 * Weight initialisers. Each fills a tensor in place from a seeded generator
 * (the global one by default) and returns it. Fans follow PyTorch: for a
 * weight of shape [out, in, ...k], fanIn = in·k and fanOut = out·k; pass
 * `fans` for other layouts (e.g. dense-res's (in+1)×out matrices).
 */
import { ShapeError } from '../errors';
import { defaultGenerator, type Generator } from '../random';
import { allocate, type Tensor } from '../tensor/tensor';

export interface Fans { fanIn: number; fanOut: number }

export function fans(t: Tensor): Fans {
  if (t.ndim < 2) throw new ShapeError(`Fan-in/fan-out need a weight of at least 2 dimensions, not [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Fills t in place with draws made on the host (uploaded when t lives on a device). */
function fill(t: Tensor, draw: () => number): Tensor {
  const values = allocate(t.dtype, t.size);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  t.backend.copy(t.backend.fromHost(values), t.storage);
  return t;
}

/** U(low, high). */
export function uniform_(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => generator.uniform(low, high));
}

/** N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => generator.normal(mean, std));
}

/** Glorot: U(±gain·sqrt(6 / (fanIn + fanOut))). */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator, f: Fans = fans(t)): Tensor {
  const bound = gain * Math.sqrt(6 / (f.fanIn + f.fanOut));
  return uniform_(t, -bound, bound, generator);
}

/** Glorot: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator, f: Fans = fans(t)): Tensor {
  return normal_(t, 0, gain * Math.sqrt(2 / (f.fanIn + f.fanOut)), generator);
}

/** He / Kaiming for ReLU: U(±sqrt(6 / fanIn)). */
export function heUniform_(t: Tensor, generator: Generator = defaultGenerator, f: Fans = fans(t)): Tensor {
  const bound = Math.sqrt(6 / f.fanIn);
  return uniform_(t, -bound, bound, generator);
}

/** He / Kaiming for ReLU: N(0, 2 / fanIn). */
export function heNormal_(t: Tensor, generator: Generator = defaultGenerator, f: Fans = fans(t)): Tensor {
  return normal_(t, 0, Math.sqrt(2 / f.fanIn), generator);
}

/** U(±1/sqrt(fanIn)), PyTorch's default for Linear and the course's MLP initialisation. */
export function uniformFanIn_(t: Tensor, generator: Generator = defaultGenerator, fanIn: number = fans(t).fanIn): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return uniform_(t, -bound, bound, generator);
}
