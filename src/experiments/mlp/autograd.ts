/**
 * The network from raw tensors and the autograd engine only (no layer
 * modules, no optimizer): W_i, b_i are leaves with requiresGrad;
 * H_i = relu(H_{i-1} W_iᵀ + b_i), logits = H_{L-1} W_Lᵀ + b_L, and the loss
 * is the activations module's averageCrossEntropy against the one-hot
 * targets (softmax + cross-entropy via log-sum-exp). The update is
 * p -= lr · p.grad under noGrad, then the gradients are cleared.
 */
import { noGrad } from '../../autograd/mode';
import { averageCrossEntropy } from '../../nn/activations';
import type { Tensor } from '../../tensor/tensor';
import { namedMlpWeights, type MlpModel, type MlpWeights } from './weights';

export class AutogradMlp implements MlpModel {
  private readonly w: MlpWeights;

  constructor(readonly shape: readonly number[], weights: MlpWeights) {
    const leaf = (t: Tensor) => t.detach().clone().requiresGrad_();
    this.w = { W: weights.W.map(leaf), b: weights.b.map(leaf) };
  }

  private params(): Tensor[] {
    return [...this.w.W, ...this.w.b];
  }

  /** The logits of every row of X. */
  private feedForward(X: Tensor): Tensor {
    const L = this.w.W.length;
    let H = X;
    for (let i = 0; i < L; i++) {
      const Z = H.matmul(this.w.W[i], { transposeB: true }).add(this.w.b[i]);
      H = i < L - 1 ? Z.relu() : Z;
    }
    return H;
  }

  trainOneEpoch(X: Tensor, _y: Int32Array, y1hot: Tensor, lr: number): number {
    for (const p of this.params()) p.grad = null;
    const loss = averageCrossEntropy(this.feedForward(X), y1hot);
    loss.backward();
    noGrad(() => {
      for (const p of this.params()) {
        p.addScaled_(p.grad!, -lr);
        p.grad = null;
      }
    });
    return loss.item();
  }

  predict(X: Tensor): Int32Array {
    return noGrad(() => this.feedForward(X).argmax(1));
  }

  gradients(X: Tensor, _y: Int32Array, y1hot: Tensor): Record<string, Tensor> {
    for (const p of this.params()) p.grad = null;
    averageCrossEntropy(this.feedForward(X), y1hot).backward();
    const grads = { W: this.w.W.map((p) => p.grad!.clone()), b: this.w.b.map((p) => p.grad!.clone()) };
    for (const p of this.params()) p.grad = null;
    return namedMlpWeights(grads);
  }

  weights(): Record<string, Tensor> {
    return namedMlpWeights({ W: this.w.W.map((p) => p.detach().clone()), b: this.w.b.map((p) => p.detach().clone()) });
  }
}
