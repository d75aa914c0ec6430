/** Numerical equivariance checks shared by the equivariant layer and model tests. */
import { actOnRows, representationElements, type PermRep } from '../../src/nn/equivariant';
import type { Tensor } from '../../src/tensor/tensor';

/** max over every group element g and the batch of |f(ρin(g) x) − ρout(g) f(x)|. */
export function equivarianceError(f: (x: Tensor) => Tensor, inRep: PermRep, outRep: PermRep, x: Tensor): number {
  const [inEls, outEls] = representationElements(inRep, outRep);
  const fx = f(x);
  let worst = 0;
  inEls.forEach((p1, g) => {
    const lhs = f(actOnRows(x, p1)).data;
    const rhs = actOnRows(fx, outEls[g]).data;
    for (let i = 0; i < lhs.length; i++) worst = Math.max(worst, Math.abs(lhs[i] - rhs[i]));
  });
  return worst;
}
