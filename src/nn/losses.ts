/** Loss modules (callable objects with forward), mirroring torch.nn's. */
import type { Tensor } from '../tensor/tensor';
import * as F from './functional';

/** Mean cross-entropy from logits and integer class labels (fused log-softmax + NLL). */
export class CrossEntropyLoss {
  forward(logits: Tensor, labels: Int32Array): Tensor { return F.crossEntropy(logits, labels); }
}

/** Mean negative log-likelihood from log-probabilities. */
export class NLLLoss {
  forward(logProbs: Tensor, labels: Int32Array): Tensor { return F.nllLoss(logProbs, labels); }
}

export class MSELoss {
  forward(prediction: Tensor, target: Tensor): Tensor { return F.mseLoss(prediction, target); }
}

/** Mean log(cosh(prediction - target)). */
export class LogCoshLoss {
  forward(prediction: Tensor, target: Tensor): Tensor { return F.logCoshLoss(prediction, target); }
}
