/** Shared pieces of the optimizer tests: parameters with given gradients, and a least-squares problem. */
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';

export function param(values: number[], shape: number[] = [values.length]): Tensor {
  return Tensor.from(values, { dtype: 'float64', backend: 'ts', shape, requiresGrad: true });
}

export function setGrad(p: Tensor, values: number[]): void {
  p.grad = Tensor.from(values, { dtype: 'float64', backend: 'ts', shape: p.shape });
}

/** L(w, b) = ½ mean ‖X w + b - y‖² with y = X w* + b* exactly, so the minimiser is (w*, b*). */
export function leastSquares(seed: number) {
  const gen = new Generator(seed);
  const X = Tensor.rand([40, 3], { dtype: 'float64', backend: 'ts', generator: gen, low: -1, high: 1 });
  const wStar = Tensor.from([[1.5], [-2], [0.5]], { dtype: 'float64', backend: 'ts' });
  const bStar = 0.7;
  const y = X.matmul(wStar).add(bStar);
  const w = Tensor.zeros([3, 1], { dtype: 'float64', backend: 'ts', requiresGrad: true });
  const b = Tensor.zeros([1], { dtype: 'float64', backend: 'ts', requiresGrad: true });
  const loss = () => X.matmul(w).add(b).sub(y).square().mean().scale(0.5);
  const error = () => Math.max(...Array.from(w.data).map((v, i) => Math.abs(v - wStar.data[i])), Math.abs(b.data[0] - bStar));
  return { w, b, loss, error };
}
