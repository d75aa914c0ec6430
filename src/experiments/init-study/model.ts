/**
 * The init-study network, `myModel(depth)`: `depth` hidden layers
 * Linear(→width) + tanh, then a linear output layer Linear(width → 10)
 * whose logits go to the cross-entropy. Depth 8 is 9 Linear layers:
 * 784→50, seven 50→50 (each followed by tanh), then 50→10.
 *
 * `initialize` draws every weight (the output layer's too) from U(−d, d)
 * and sets every bias to zero; `xavier` uses d = sqrt(6 / (n_in + n_out))
 * of each layer. `probe` runs one forward/backward and measures, per hidden
 * layer, the post-activations and the gradient norms (dL/dW through the
 * parameters' `.grad`, dL/dh through `retainGrad()` on the layer outputs).
 */
import { noGrad } from '../../autograd/mode';
import type { Backend, DType } from '../../backend/backend';
import { UsageError } from '../../cli/flags';
import * as init from '../../nn/init';
import { crossEntropy } from '../../nn/functional';
import { Linear } from '../../nn/layers';
import { Module } from '../../nn/module';
import { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';

/** U(−d, d) with a fixed d, or Xavier/Glorot uniform (d = sqrt(6 / (n_in + n_out)) per layer). */
export type InitSpec = { kind: 'uniform'; d: number } | { kind: 'xavier' };

export const DEFAULT_INITS = '0.01,0.1,2,xavier';

/** `0.01,0.1,2,xavier` → the specs, in order; anything else is a UsageError. */
export function parseInits(raw: string): InitSpec[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new UsageError(`--inits expects a comma-separated list of positive numbers d and/or "xavier", not "${raw}"`);
  }
  const specs: InitSpec[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    let spec: InitSpec;
    if (p.toLowerCase() === 'xavier') {
      spec = { kind: 'xavier' };
    } else {
      const d = Number(p);
      if (!Number.isFinite(d) || d <= 0) {
        throw new UsageError(`--inits: "${p}" is neither a positive number d (weights U(-d, d)) nor "xavier"`);
      }
      spec = { kind: 'uniform', d };
    }
    const label = initLabel(spec);
    if (seen.has(label)) throw new UsageError(`--inits lists ${label} twice`);
    seen.add(label);
    specs.push(spec);
  }
  return specs;
}

/** `d=0.01`, `xavier` (plot legends, summary). */
export function initLabel(spec: InitSpec): string {
  return spec.kind === 'xavier' ? 'xavier' : `d=${spec.d}`;
}

/** `d0.01`, `xavier` (file and series names). */
export function initSlug(spec: InitSpec): string {
  return spec.kind === 'xavier' ? 'xavier' : `d${spec.d}`;
}

/** The bound d of layer weights [out, in] under an init. */
export function weightBound(spec: InitSpec, inFeatures: number, outFeatures: number): number {
  return spec.kind === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : spec.d;
}

export interface ModelOptions {
  width?: number;
  inputs?: number;
  classes?: number;
  dtype?: DType;
  backend?: Backend;
}

export class InitStudyNet extends Module {
  /** The `depth` hidden layers (Linear + fused tanh). */
  readonly hidden: Linear[];
  /** The linear output layer (width → classes). */
  readonly output: Linear;

  constructor(readonly depth: number, options: ModelOptions = {}) {
    super();
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`myModel: depth must be a positive integer, not ${depth}`);
    const width = options.width ?? 50;
    const inputs = options.inputs ?? 784;
    const classes = options.classes ?? 10;
    // The constructor's own initialisation is overwritten by initialize(); a private generator keeps the global one untouched.
    const layerOptions = { dtype: options.dtype, backend: options.backend, generator: new Generator(0), init: 'zeros' as const };
    this.hidden = [];
    for (let l = 0; l < depth; l++) {
      this.hidden.push(this.registerModule(`hidden.${l}`, new Linear(l === 0 ? inputs : width, width, { ...layerOptions, activation: 'tanh' })));
    }
    this.output = this.registerModule('output', new Linear(width, classes, layerOptions));
  }

  /** Every Linear layer, input first, the output layer last (depth + 1 of them). */
  get linears(): Linear[] {
    return [...this.hidden, this.output];
  }

  /** Weights U(−d, d) (d per layer for xavier), biases zero. */
  initialize(spec: InitSpec, generator: Generator): this {
    noGrad(() => {
      for (const layer of this.linears) {
        const d = weightBound(spec, layer.inFeatures, layer.outFeatures);
        init.uniform_(layer.weight, -d, d, generator);
        layer.bias!.fill_(0);
      }
    });
    return this;
  }

  /** The hidden layers' outputs h_1..h_depth (tanh values) and the logits; `retain` calls retainGrad() on each h_l. */
  forwardHidden(x: Tensor, retain = false): { hidden: Tensor[]; logits: Tensor } {
    const hidden: Tensor[] = [];
    let h = x;
    for (const layer of this.hidden) {
      h = layer.forward(h);
      if (retain) h.retainGrad();
      hidden.push(h);
    }
    return { hidden, logits: this.output.forward(h) };
  }

  forward(x: Tensor): Tensor {
    return this.forwardHidden(x).logits;
  }
}

/** `net = myModel(depth)`, as the handout asks. */
export function myModel(depth: number, options: ModelOptions = {}): InitStudyNet {
  return new InitStudyNet(depth, options);
}

/** |a| above this counts as a saturated tanh unit. */
export const SATURATION = 0.99;

export interface ProbeResult {
  /** Mean cross-entropy of the probe batch and its accuracy. */
  loss: number;
  accuracy: number;
  /** Per hidden layer l = 1..depth: mean of h_l (the tanh outputs) over the batch and units. */
  activationMean: number[];
  /** Mean |h_l|. */
  activationAbsMean: number[];
  /** Fraction of the batch × units values with |h_l| > SATURATION. */
  saturatedFraction: number[];
  /** Frobenius norm of dL/dW_l of the hidden layers. */
  weightGradNorm: number[];
  /** Frobenius norm of dL/dh_l (the batch × width gradient of the layer's output, kept by retainGrad). */
  outputGradNorm: number[];
  /** Frobenius norm of dL/dW of the output layer. */
  outputLayerWeightGradNorm: number;
}

function norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/**
 * Forward and backward one batch (x: B × inputs, labels y) with the mean
 * cross-entropy; the parameters' gradients are cleared before and after, so
 * probing leaves the model as it was.
 */
export function probe(model: InitStudyNet, x: Tensor, y: Int32Array): ProbeResult {
  model.zeroGrad();
  const { hidden, logits } = model.forwardHidden(x, true);
  const loss = crossEntropy(logits, y);
  loss.backward();
  const predicted = logits.argmax(1);
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
  const r: ProbeResult = {
    loss: loss.item(), accuracy: correct / y.length, activationMean: [], activationAbsMean: [], saturatedFraction: [],
    weightGradNorm: [], outputGradNorm: [], outputLayerWeightGradNorm: norm(model.output.weight.grad!.toTypedArray()),
  };
  hidden.forEach((h, l) => {
    const a = h.toTypedArray();
    let sum = 0;
    let abs = 0;
    let saturated = 0;
    for (let i = 0; i < a.length; i++) {
      sum += a[i];
      abs += Math.abs(a[i]);
      if (Math.abs(a[i]) > SATURATION) saturated++;
    }
    r.activationMean.push(sum / a.length);
    r.activationAbsMean.push(abs / a.length);
    r.saturatedFraction.push(saturated / a.length);
    r.outputGradNorm.push(norm(h.grad!.toTypedArray()));
    r.weightGradNorm.push(norm(model.hidden[l].weight.grad!.toTypedArray()));
  });
  model.zeroGrad();
  return r;
}
