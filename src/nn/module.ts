/**
 * Module: a container of named parameters and sub-modules, like
 * torch.nn.Module. Parameters are tensors with requiresGrad; the state dict
 * maps dotted names ("layers.0.weight") to them.
 */
import { noGrad } from '../autograd/mode';
import { ShapeError } from '../errors';
import type { Tensor } from '../tensor/tensor';

export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /**
   * A forward pass of this module and `next` as one fused op with the same
   * values and gradients, or null (the default). nn.Sequential asks each
   * module about its successor (Conv2d fuses a following MaxPool2d).
   */
  fuseWithNext(_next: Module): ((x: Tensor) => Tensor) | null {
    return null;
  }

  /** Registers (and returns) a parameter; it is marked requiresGrad. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.ownParameters.set(name, t.requiresGrad_(true));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** (name, parameter) pairs, this module's first, then each child's with its prefix. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParameters) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, m] of this.children) out.push(...m.namedModules(`${prefix}${n}.`));
    return out;
  }

  /** Training mode (the default) or evaluation mode, recursively. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Name → parameter (the tensors themselves, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /** Copies values into the parameters; names, shapes and dtypes must match exactly. */
  loadStateDict(state: Record<string, Tensor>): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (missing.length || unexpected.length) {
      throw new ShapeError(`loadStateDict: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
    }
    for (const [k, p] of Object.entries(own)) {
      const v = state[k];
      if (v.shape.join() !== p.shape.join() || v.dtype !== p.dtype) {
        throw new ShapeError(`loadStateDict: ${k} is [${v.shape.join(', ')}] ${v.dtype}, the module has [${p.shape.join(', ')}] ${p.dtype}`);
      }
    }
    noGrad(() => {
      for (const [k, p] of Object.entries(own)) p.copy_(state[k]);
    });
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }
}
