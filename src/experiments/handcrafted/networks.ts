/**
 * Networks whose weights are set by hand (hw problem 3), each with the
 * derivation of its weights. All use ReLU, ρ(z) = max(z, 0), and one hidden
 * layer: a ReLU unit ρ(wx + b) is a hinge with its kink where wx + b = 0,
 * and a weighted sum of hinges is any continuous piecewise-linear function
 * with those kinks, so the weights follow from where the target bends and by
 * how much its slope changes there. The outputs are exact (0 error up to
 * float64 rounding), which sigmoids could only approach.
 *
 * Weights are in PyTorch's layout: layer l maps h ↦ W h + b with W of shape
 * [out, in].
 */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { Linear, ReLU, Sequential } from '../../nn';
import type { Module } from '../../nn/module';
import { Tensor } from '../../tensor';

export interface LayerWeights {
  /** [out][in]. */
  weight: number[][];
  bias: number[];
}

export interface HandNetwork {
  name: string;
  /** The function it computes, in words. */
  title: string;
  inputs: number;
  /** Affine layers; ReLU between consecutive ones (not after the last). */
  layers: LayerWeights[];
  /** The target function, computed directly. */
  target(x: readonly number[]): number;
}

/**
 * XNOR(x1, x2) on {0, 1}²: 1 when x1 = x2. XNOR = AND + NOR, and on binary
 * inputs both are single ReLU units:
 *   AND(x1, x2) = ρ(x1 + x2 − 1): x1 + x2 − 1 is 1 at (1,1) and ≤ 0 elsewhere;
 *   NOR(x1, x2) = ρ(1 − x1 − x2): 1 − x1 − x2 is 1 at (0,0) and ≤ 0 elsewhere.
 * At most one of them is 1, so the output layer just adds them:
 *   W1 = [[1, 1], [−1, −1]], b1 = [−1, 1];  w2 = [1, 1], b2 = 0.
 * Every intermediate value is an integer, so the four outputs are exactly 0 or 1.
 */
export function xnorNetwork(): HandNetwork {
  return {
    name: 'xnor',
    title: 'XNOR(x1, x2) on {0,1}²',
    inputs: 2,
    layers: [
      { weight: [[1, 1], [-1, -1]], bias: [-1, 1] },
      { weight: [[1, 1]], bias: [0] },
    ],
    target: ([a, b]) => (a === b ? 1 : 0),
  };
}

/**
 * The tent f(x) = 2x on [0, ½], 2(1 − x) on [½, 1], 0 elsewhere (0 below 0
 * and above 1). It is continuous and piecewise linear with kinks at 0, ½, 1
 * and slopes 0 | 2 | −2 | 0, so it is a sum of hinges ρ(x − c) at those kinks,
 * each weighted by the change of slope there:
 *   at 0: 0 → 2 (+2); at ½: 2 → −2 (−4); at 1: −2 → 0 (+2);
 *   f(x) = 2ρ(x) − 4ρ(x − ½) + 2ρ(x − 1)
 * (left of 0 every hinge is 0, so f = 0 there; right of 1 the slopes cancel,
 * 2 − 4 + 2 = 0, and so do the values: 2x − 4x + 2 + 2x − 2 = 0).
 *   W1 = [[1], [1], [1]], b1 = [0, −½, −1];  w2 = [2, −4, 2], b2 = 0.
 */
export function tentNetwork(): HandNetwork {
  return {
    name: 'tent',
    title: 'tent: 2x on [0,½], 2(1−x) on [½,1], 0 elsewhere',
    inputs: 1,
    layers: [
      { weight: [[1], [1], [1]], bias: [0, -0.5, -1] },
      { weight: [[2, -4, 2]], bias: [0] },
    ],
    target: ([x]) => (x < 0 || x > 1 ? 0 : x <= 0.5 ? 2 * x : 2 * (1 - x)),
  };
}

/**
 * The soft threshold f(x) = max(|x| − s, 0)·sign(x), s ≥ 0: 0 on [−s, s],
 * x − s above s, x + s below −s. Kinks at ±s with slope 1 | 0 | 1, so one
 * hinge per side:
 *   for x ≥ 0: f(x) = ρ(x − s);  for x ≤ 0: f(x) = −ρ(−x − s);
 *   f(x) = ρ(x − s) − ρ(−x − s)  (each hinge is 0 on the other side of 0).
 *   W1 = [[1], [−1]], b1 = [−s, −s];  w2 = [1, −1], b2 = 0.
 * s = 0 gives ρ(x) − ρ(−x) = x, the identity. (s < 0 would make f jump at 0,
 * which no ReLU network, being continuous, can fit.)
 */
export function softThresholdNetwork(s: number): HandNetwork {
  if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`soft threshold: s must be a finite number >= 0, not ${s}`);
  return {
    name: 'soft-threshold',
    title: `soft threshold max(|x| − s, 0)·sign(x), s = ${s}`,
    inputs: 1,
    layers: [
      { weight: [[1], [-1]], bias: [-s, -s] },
      { weight: [[1, -1]], bias: [0] },
    ],
    target: ([x]) => Math.max(Math.abs(x) - s, 0) * Math.sign(x),
  };
}

/** The network as library modules: nn.Linear layers (float64, weights copied in) with nn.ReLU between them. */
export function buildModule(net: HandNetwork, backend: Backend): Sequential {
  const modules: Module[] = [];
  net.layers.forEach((layer, i) => {
    const out = layer.weight.length, inp = layer.weight[0].length;
    const linear = new Linear(inp, out, { dtype: 'float64', backend });
    noGrad(() => {
      linear.weight.copy_(Tensor.from(layer.weight, { dtype: 'float64', backend }));
      linear.bias!.copy_(Tensor.from(layer.bias, { dtype: 'float64', backend }));
    });
    modules.push(linear);
    if (i < net.layers.length - 1) modules.push(new ReLU());
  });
  return new Sequential(...modules);
}

/** The network's outputs for the rows of `inputs` (points × net.inputs). */
export function evaluate(module: Sequential, inputs: Float64Array, points: number, width: number, backend: Backend): Float64Array {
  return noGrad(() => {
    const x = new Tensor(Float64Array.from(inputs), [points, width], backend);
    return Float64Array.from(module.forward(x).toTypedArray());
  });
}

/**
 * `points` evenly spaced x in [lo, hi] (x_i = lo + i·(hi − lo)/(points − 1),
 * so with the default [−2, 3] and 100001 points the kinks 0, ½, 1 are grid
 * points exactly) plus the `extra` points, sorted and without repeats.
 */
export function grid(lo: number, hi: number, points: number, extra: readonly number[] = []): Float64Array {
  const xs = Array.from({ length: points }, (_, i) => (i === points - 1 ? hi : lo + (i * (hi - lo)) / (points - 1)));
  for (const e of extra) xs.push(e);
  xs.sort((a, b) => a - b);
  return Float64Array.from(xs.filter((v, i) => i === 0 || v !== xs[i - 1]));
}
