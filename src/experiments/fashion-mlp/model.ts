/**
 * The fashion-mlp network, d → h1 → … → hk → C with ReLU hidden layers,
 * softmax cross-entropy and Adam, in two implementations with one interface:
 *
 * - `manual` (the default): a hand-written forward and backward straight on
 *   the backend's kernels, with every buffer allocated once: the GEMMs, the
 *   fused bias+ReLU forward/backward (bias gradient included), the fused
 *   log-softmax + NLL (argmax included) and one fused Adam kernel over a
 *   flat buffer that holds every weight and bias, whatever the depth. The gradient with respect to the input is
 *   never computed.
 * - `nn`: the library as a user writes it: nn.Sequential of nn.Linear
 *   (fused bias + ReLU), nn.functional.crossEntropy, autograd and optim.Adam.
 *
 * Both start from the same nn.Linear initialisation (PyTorch's: weights and
 * biases U(±1/sqrt(fan_in))) and take the same Adam steps (PyTorch's form:
 * p -= lr · (m / c1) / (sqrt(v / c2) + eps)), so their loss curves agree to
 * float32 rounding. Weights are named and shaped as the nn.Sequential's
 * state dict ("0.weight" out×in, "0.bias", "1.weight", …).
 */
import { noGrad } from '../../autograd/mode';
import type { Backend, DType, FloatArray, Storage } from '../../backend/backend';
import { crossEntropy } from '../../nn/functional';
import { Linear, Sequential } from '../../nn/layers';
import { Adam } from '../../optim';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';

export const BETAS: [number, number] = [0.9, 0.999];
export const ADAM_EPS = 1e-8;

export interface StepResult { loss: number; correct: number }

/** What the training loop needs from either implementation. */
export interface MlpModel {
  /** Layer widths, input first: [784, 256, 128, 10]. */
  readonly sizes: readonly number[];
  /** One Adam step on B rows (x: B×d, row-major). Returns the batch's mean loss and correct count (before the step). */
  trainStep(x: FloatArray, y: Int32Array, batch: number): StepResult;
  /** Mean loss and correct count on B rows, without updating; the predicted classes go to `predictions` when given. */
  evaluate(x: FloatArray, y: Int32Array, batch: number, predictions?: Int32Array): StepResult;
  /** The parameters by name ("0.weight", "0.bias", …), as copies. */
  weights(): Record<string, Tensor>;
  /** Number of trainable scalars. */
  parameterCount(): number;
}

/** nn.Sequential of Linear layers, ReLU fused into every one but the last. */
export function buildSequential(sizes: readonly number[], backend: Backend, generator: Generator): Sequential {
  const layers: Linear[] = [];
  for (let l = 1; l < sizes.length; l++) {
    layers.push(new Linear(sizes[l - 1], sizes[l], {
      backend, generator, activation: l < sizes.length - 1 ? 'relu' : 'identity',
    }));
  }
  return new Sequential(...layers);
}

function checkBatch(sizes: readonly number[], maxBatch: number, x: FloatArray, y: Int32Array, B: number): void {
  if (!Number.isInteger(B) || B < 1 || B > maxBatch) throw new RangeError(`Expected a batch of 1..${maxBatch} rows but received ${B}`);
  if (x.length < B * sizes[0] || y.length < B) {
    throw new RangeError(`A batch of ${B} needs ${B * sizes[0]} inputs and ${B} labels; received ${x.length} and ${y.length}`);
  }
}

/** The hand-written implementation on preallocated backend buffers. */
export class ManualMlp implements MlpModel {
  readonly sizes: readonly number[];
  private readonly L: number;
  /** Every weight and bias, layer by layer (W_l out×in, then b_l), and their gradients in the same layout. */
  private readonly params: Storage;
  private readonly grads: Storage;
  private readonly m: Storage;
  private readonly v: Storage;
  private readonly W: Storage[] = [];
  private readonly b: Storage[] = [];
  private readonly gW: Storage[] = [];
  private readonly gb: Storage[] = [];
  /** Outputs of every layer (maxBatch rows): post-ReLU for hidden layers, logits for the last. */
  private readonly A: Storage[] = [];
  /** Gradients of every layer's pre-activation. */
  private readonly dZ: Storage[] = [];
  private readonly logProbs: Storage;
  private readonly argmax: Int32Array;
  private step = 0;
  private readonly dtype: DType;

  constructor(init: Sequential, private readonly backend: Backend, readonly maxBatch: number,
              private readonly lr: number) {
    const linears = init.layers as Linear[];
    this.sizes = [linears[0].inFeatures, ...linears.map((l) => l.outFeatures)];
    this.L = linears.length;
    const dtype = linears[0].weight.dtype;
    this.dtype = dtype;
    const be = backend;
    const total = linears.reduce((n, l) => n + l.weight.size + (l.bias ? l.bias.size : 0), 0);
    this.params = be.alloc(dtype, total);
    this.grads = be.alloc(dtype, total);
    this.m = be.alloc(dtype, total);
    this.v = be.alloc(dtype, total);
    let offset = 0;
    for (const layer of linears) {
      if (!layer.bias) throw new RangeError('ManualMlp needs Linear layers with biases');
      const nw = layer.weight.size;
      const nb = layer.bias.size;
      this.W.push(be.view(this.params, offset, nw));
      this.gW.push(be.view(this.grads, offset, nw));
      this.b.push(be.view(this.params, offset + nw, nb));
      this.gb.push(be.view(this.grads, offset + nw, nb));
      be.copy(layer.weight.storage, this.W[this.W.length - 1]);
      be.copy(layer.bias.storage, this.b[this.b.length - 1]);
      offset += nw + nb;
    }
    for (let l = 1; l <= this.L; l++) {
      this.A.push(be.alloc(dtype, maxBatch * this.sizes[l]));
      this.dZ.push(be.alloc(dtype, maxBatch * this.sizes[l]));
    }
    this.logProbs = be.alloc(dtype, maxBatch * this.sizes[this.L]);
    this.argmax = new Int32Array(maxBatch);
  }

  parameterCount(): number {
    return this.params.length;
  }

  /** The first n elements of a buffer. */
  private first(s: Storage, n: number): Storage {
    return n === s.length ? s : this.backend.view(s, 0, n);
  }

  /** The rows as backend storage (an upload on device backends). */
  private input(x: FloatArray, B: number): Storage {
    const rows = x.subarray(0, B * this.sizes[0]);
    return this.backend.memory === 'host' ? rows : this.backend.fromHost(rows);
  }

  private forward(x: Storage, y: Int32Array, B: number): StepResult {
    const { backend: be, sizes, L } = this;
    let input = x;
    for (let l = 1; l <= L; l++) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const out = this.first(this.A[l - 1], B * nOut);
      // Z = A·Wᵀ (W is out×in), then bias and ReLU in one pass.
      be.gemm(false, true, B, nOut, nIn, 1, input, nIn, this.W[l - 1], nIn, 0, out, nOut);
      be.biasActivationForward(l < L ? 'relu' : 'identity', B, nOut, out, this.b[l - 1], out);
      input = out;
    }
    const labels = y.subarray(0, B);
    const c = sizes[L];
    const loss = be.logSoftmaxNllForward(B, c, input, labels, this.first(this.logProbs, B * c), this.argmax.subarray(0, B));
    let correct = 0;
    for (let i = 0; i < B; i++) if (this.argmax[i] === labels[i]) correct++;
    return { loss, correct };
  }

  private backward(x: Storage, y: Int32Array, B: number): void {
    const { backend: be, sizes, L } = this;
    const c = sizes[L];
    let dZ = this.first(this.dZ[L - 1], B * c);
    be.logSoftmaxNllBackward(B, c, this.first(this.logProbs, B * c), y.subarray(0, B), 1, dZ);
    be.reduce('sum', 1, B, c, dZ, this.gb[L - 1]);
    for (let l = L; l >= 1; l--) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const input = l === 1 ? x : this.first(this.A[l - 2], B * nIn);
      // dW = dZᵀ·A (out×in).
      be.gemm(true, false, nOut, nIn, B, 1, dZ, nOut, input, nIn, 0, this.gW[l - 1], nIn);
      if (l === 1) break;
      // dA = dZ·W, then through the ReLU (mask from the layer's output) with the bias gradient.
      const dPrev = this.first(this.dZ[l - 2], B * nIn);
      be.gemm(false, false, B, nIn, nOut, 1, dZ, nOut, this.W[l - 1], nIn, 0, dPrev, nIn);
      be.biasActivationBackward('relu', B, nIn, dPrev, input, dPrev, this.gb[l - 2]);
      dZ = dPrev;
    }
  }

  /** One Adam step over the flat parameter buffer: the backend's fused adamStep (PyTorch's update). */
  private adam(): void {
    this.step++;
    this.backend.adamStep(this.step, this.lr, BETAS[0], BETAS[1], ADAM_EPS, this.params, this.grads, this.m, this.v);
  }

  trainStep(x: FloatArray, y: Int32Array, B: number): StepResult {
    checkBatch(this.sizes, this.maxBatch, x, y, B);
    const xs = this.input(x, B);
    const r = this.forward(xs, y, B);
    this.backward(xs, y, B);
    this.adam();
    return r;
  }

  evaluate(x: FloatArray, y: Int32Array, B: number, predictions?: Int32Array): StepResult {
    checkBatch(this.sizes, this.maxBatch, x, y, B);
    const r = this.forward(this.input(x, B), y, B);
    predictions?.set(this.argmax.subarray(0, B));
    return r;
  }

  weights(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const be = this.backend;
    for (let l = 1; l <= this.L; l++) {
      const copy = (s: Storage, shape: number[]) => {
        const t = be.alloc(this.dtype, s.length);
        be.copy(s, t);
        return new Tensor(t, shape, be);
      };
      out[`${l - 1}.weight`] = copy(this.W[l - 1], [this.sizes[l], this.sizes[l - 1]]);
      out[`${l - 1}.bias`] = copy(this.b[l - 1], [this.sizes[l]]);
    }
    return out;
  }
}

/** The library implementation: nn.Sequential, crossEntropy, autograd, optim.Adam. */
export class NnMlp implements MlpModel {
  readonly sizes: readonly number[];
  private readonly opt: Adam;

  constructor(private readonly model: Sequential, private readonly backend: Backend, readonly maxBatch: number, lr: number) {
    const linears = model.layers as Linear[];
    this.sizes = [linears[0].inFeatures, ...linears.map((l) => l.outFeatures)];
    this.opt = new Adam(model.parameters(), { lr, betas: BETAS, eps: ADAM_EPS });
  }

  parameterCount(): number {
    return this.model.parameterCount();
  }

  private batchTensor(x: FloatArray, B: number): Tensor {
    return new Tensor(x.subarray(0, B * this.sizes[0]), [B, this.sizes[0]], this.backend);
  }

  private static correct(logits: Tensor, y: Int32Array, B: number, predictions?: Int32Array): number {
    const predicted = logits.argmax(1);
    predictions?.set(predicted);
    let correct = 0;
    for (let i = 0; i < B; i++) if (predicted[i] === y[i]) correct++;
    return correct;
  }

  trainStep(x: FloatArray, y: Int32Array, B: number): StepResult {
    checkBatch(this.sizes, this.maxBatch, x, y, B);
    const labels = y.subarray(0, B);
    this.opt.zeroGrad();
    const logits = this.model.forward(this.batchTensor(x, B));
    const loss = crossEntropy(logits, labels);
    loss.backward();
    this.opt.step();
    return { loss: loss.item(), correct: NnMlp.correct(logits, labels, B) };
  }

  evaluate(x: FloatArray, y: Int32Array, B: number, predictions?: Int32Array): StepResult {
    checkBatch(this.sizes, this.maxBatch, x, y, B);
    const labels = y.subarray(0, B);
    return noGrad(() => {
      const logits = this.model.forward(this.batchTensor(x, B));
      return { loss: crossEntropy(logits, labels).item(), correct: NnMlp.correct(logits, labels, B, predictions) };
    });
  }

  weights(): Record<string, Tensor> {
    return Object.fromEntries(Object.entries(this.model.stateDict()).map(([k, t]) => [k, t.detach().clone()]));
  }
}

/** A model of the chosen implementation, initialised as nn.Linear does from `generator`. */
export function createMlp(impl: 'manual' | 'nn', sizes: readonly number[], backend: Backend, generator: Generator,
                          maxBatch: number, lr: number): MlpModel {
  const init = buildSequential(sizes, backend, generator);
  return impl === 'nn' ? new NnMlp(init, backend, maxBatch, lr) : new ManualMlp(init, backend, maxBatch, lr);
}
