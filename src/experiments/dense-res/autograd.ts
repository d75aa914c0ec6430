/**
 * The dense residual MLP written with tensors and autograd only, exactly as
 * the spec's equations read:
 *   Z1 = [X,1] W1, H1 = relu(LN(Z1)); C1 = [X‖H1], Z2 = [C1,1] W2,
 *   H2 = relu(LN(Z2 + H1)); C2 = [X‖H1‖H2], Z3 = [C2,1] W3,
 *   H3 = relu(LN(Z3 + H2)); Z4 = [H3,1] W4; loss = NLL(log-softmax(Z4)).
 */
import { noGrad } from '../../autograd/mode';
import type { Backend, FloatArray } from '../../backend/backend';
import { appendOnes, layerNorm, logSoftmax, nllLoss } from '../../nn/functional';
import { SGD } from '../../optim/sgd';
import { Tensor } from '../../tensor/tensor';
import { namedWeights, type DenseResModel, type DenseResShape, type DenseResWeights } from './weights';

export class AutogradDenseRes implements DenseResModel {
  private readonly params: Record<string, Tensor>;
  private readonly w: DenseResWeights;
  private readonly optimizer: SGD;

  constructor(readonly shape: DenseResShape, weights: DenseResWeights, private readonly backend: Backend) {
    const copy = (t: Tensor) => t.detach().clone().requiresGrad_();
    this.w = {
      W1: copy(weights.W1), W2: copy(weights.W2), W3: copy(weights.W3), W4: copy(weights.W4),
      gamma: weights.gamma.map(copy) as DenseResWeights['gamma'],
      beta: weights.beta.map(copy) as DenseResWeights['beta'],
    };
    this.params = namedWeights(this.w, shape.layerNorm);
    this.optimizer = new SGD(Object.values(this.params), { lr: 0 });
  }

  private block(z: Tensor, residual: Tensor | null, k: number): Tensor {
    if (this.shape.layerNorm) return layerNorm(z, this.w.gamma[k], this.w.beta[k], { residual, act: 'relu' });
    return (residual ? z.add(residual) : z).relu();
  }

  /** The mean loss and the logits of a batch. */
  private loss(x: FloatArray, y: Int32Array, B: number): { loss: Tensor; logits: Tensor } {
    const X = new Tensor(x.subarray(0, B * this.shape.inputs), [B, this.shape.inputs], this.backend);
    const { W1, W2, W3, W4 } = this.w;
    const H1 = this.block(appendOnes(X).matmul(W1), null, 0);
    const C1 = Tensor.concat([X, H1], 1);
    const H2 = this.block(appendOnes(C1).matmul(W2), H1, 1);
    const C2 = Tensor.concat([X, H1, H2], 1);
    const H3 = this.block(appendOnes(C2).matmul(W3), H2, 2);
    const logits = appendOnes(H3).matmul(W4);
    return { loss: nllLoss(logSoftmax(logits), y.subarray(0, B)), logits };
  }

  private static correct(logits: Tensor, y: Int32Array): number {
    const predicted = logits.argmax(1);
    let n = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === y[i]) n++;
    return n;
  }

  trainStep(x: FloatArray, y: Int32Array, B: number, lr: number): { loss: number; correct: number } {
    const { loss, logits } = this.loss(x, y, B);
    this.optimizer.lr = lr;
    this.optimizer.zeroGrad();
    loss.backward();
    this.optimizer.step();
    return { loss: loss.item(), correct: AutogradDenseRes.correct(logits, y) };
  }

  evaluate(x: FloatArray, y: Int32Array, B: number): { loss: number; correct: number } {
    return noGrad(() => {
      const { loss, logits } = this.loss(x, y, B);
      return { loss: loss.item(), correct: AutogradDenseRes.correct(logits, y) };
    });
  }

  gradients(x: FloatArray, y: Int32Array, B: number): Record<string, Tensor> {
    this.optimizer.zeroGrad();
    this.loss(x, y, B).loss.backward();
    return Object.fromEntries(Object.entries(this.params).map(([k, p]) => [k, p.grad!]));
  }

  weights(): Record<string, Tensor> {
    return Object.fromEntries(Object.entries(this.params).map(([k, p]) => [k, p.detach().clone()]));
  }
}
