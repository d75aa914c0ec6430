/** Layers built on the differentiable functions; each is a Module. */
import type { Activation } from '../backend/backend';
import { defaultGenerator, type Generator } from '../random';
import { Tensor, type TensorOptions } from '../tensor/tensor';
import * as F from './functional';
import * as init from './init';
import { Module } from './module';

export type Initializer = 'uniformFanIn' | 'xavierUniform' | 'xavierNormal' | 'heUniform' | 'heNormal' | 'zeros';

export interface LayerOptions extends Pick<TensorOptions, 'dtype' | 'backend'> {
  generator?: Generator;
}

/** Fills a weight with a named initialiser. */
export function initialize(t: Tensor, how: Initializer, generator: Generator = defaultGenerator, fans?: init.Fans): Tensor {
  switch (how) {
    case 'uniformFanIn': return init.uniformFanIn_(t, generator, fans?.fanIn);
    case 'xavierUniform': return init.xavierUniform_(t, 1, generator, fans);
    case 'xavierNormal': return init.xavierNormal_(t, 1, generator, fans);
    case 'heUniform': return init.heUniform_(t, generator, fans);
    case 'heNormal': return init.heNormal_(t, generator, fans);
    case 'zeros': return t;
  }
}

/**
 * y = act(x Wᵀ + b) with W of shape [out, in] (PyTorch's layout). Weights
 * and biases start U(±1/sqrt(in)) unless `init` says otherwise; the bias is
 * fused with the activation in one native kernel.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number,
              options: LayerOptions & { bias?: boolean; init?: Initializer; activation?: Activation } = {}) {
    super();
    const t = { dtype: options.dtype, backend: options.backend };
    const gen = options.generator ?? defaultGenerator;
    this.weight = this.registerParameter('weight', initialize(Tensor.zeros([outFeatures, inFeatures], t), options.init ?? 'uniformFanIn', gen));
    this.bias = options.bias === false ? null
      : this.registerParameter('bias', init.uniformFanIn_(Tensor.zeros([outFeatures], t), gen, inFeatures));
    this.activation = options.activation ?? 'identity';
  }

  private readonly activation: Activation;

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias, this.activation);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

/** Softmax over the last axis. */
export class Softmax extends Module {
  forward(x: Tensor): Tensor { return F.softmax(x); }
}

/** Log-softmax over the last axis. */
export class LogSoftmax extends Module {
  forward(x: Tensor): Tensor { return F.logSoftmax(x); }
}

/** LayerNorm over the last axis with learnable gamma (ones) and beta (zeros); native fused forward/backward. */
export class LayerNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;

  constructor(readonly features: number, readonly eps = 1e-5, options: LayerOptions = {}) {
    super();
    const t = { dtype: options.dtype, backend: options.backend };
    this.gamma = this.registerParameter('gamma', Tensor.ones([features], t));
    this.beta = this.registerParameter('beta', Tensor.zeros([features], t));
  }

  forward(x: Tensor, residual: Tensor | null = null): Tensor {
    return F.layerNorm(x, this.gamma, this.beta, { eps: this.eps, residual });
  }
}

/** Modules applied in order; parameters named "0.weight", "1.bias", … */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers.map((m, i) => this.registerModule(String(i), m));
  }

  /** The layers in order; a pair that fuses (see Module.fuseWithNext) runs as one op. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const fused = i + 1 < this.layers.length ? this.layers[i].fuseWithNext(this.layers[i + 1]) : null;
      if (fused) h = fused(h), i++;
      else h = this.layers[i].forward(h);
    }
    return h;
  }
}
