/**
 * The network from the library's modules: nn.Sequential of nn.Linear layers
 * (ReLU fused into the hidden ones), nn.functional.crossEntropy on the
 * logits (softmax + cross-entropy fused, stable), and optim.SGD.
 */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { Linear, Sequential } from '../../nn/layers';
import { crossEntropy } from '../../nn/functional';
import { SGD } from '../../optim/sgd';
import { Generator } from '../../random';
import type { Tensor } from '../../tensor/tensor';
import type { MlpModel, MlpWeights } from './weights';

export class NnMlp implements MlpModel {
  readonly net: Sequential;
  private readonly layers: Linear[];
  private readonly optimizer: SGD;

  constructor(readonly shape: readonly number[], weights: MlpWeights, backend: Backend) {
    const dtype = weights.W[0].dtype;
    // The layers draw their own U(±1/sqrt(in)) start from a throwaway generator; the shared weights replace it.
    const scratch = new Generator(0);
    this.layers = [];
    for (let i = 1; i < shape.length; i++) {
      const layer = new Linear(shape[i - 1], shape[i], {
        dtype, backend, generator: scratch, activation: i < shape.length - 1 ? 'relu' : 'identity',
      });
      noGrad(() => {
        layer.weight.copy_(weights.W[i - 1]);
        layer.bias!.copy_(weights.b[i - 1]);
      });
      this.layers.push(layer);
    }
    this.net = new Sequential(...this.layers);
    this.optimizer = new SGD(this.net.parameters(), { lr: 0 });
  }

  private loss(X: Tensor, y: Int32Array): Tensor {
    return crossEntropy(this.net.forward(X), y);
  }

  trainOneEpoch(X: Tensor, y: Int32Array, _y1hot: Tensor, lr: number): number {
    this.optimizer.lr = lr;
    this.optimizer.zeroGrad();
    const loss = this.loss(X, y);
    loss.backward();
    this.optimizer.step();
    return loss.item();
  }

  predict(X: Tensor): Int32Array {
    return noGrad(() => this.net.forward(X).argmax(1));
  }

  gradients(X: Tensor, y: Int32Array, _y1hot: Tensor): Record<string, Tensor> {
    this.optimizer.zeroGrad();
    this.loss(X, y).backward();
    return this.named((p) => p.grad!.clone());
  }

  weights(): Record<string, Tensor> {
    return this.named((p) => p.detach().clone());
  }

  private named(f: (p: Tensor) => Tensor): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.layers.forEach((l, i) => {
      out[`W${i + 1}`] = f(l.weight);
      out[`b${i + 1}`] = f(l.bias!);
    });
    return out;
  }
}
