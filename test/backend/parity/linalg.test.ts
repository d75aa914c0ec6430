import type { FloatArray } from '../../../src/backend/backend';
import { parity } from '../../helpers/parity';
import { matmul, maxDiff, orthonormalityError, transpose } from '../../helpers/matrix';
import { randomArray, zerosLike } from '../../helpers/random';

parity('symEig: eigenvalues match the reference; vectors are orthonormal and diagonalise A', ({ t, native, ref, dtype, gen }) => {
  const tol = dtype === 'float64' ? 1e-11 : 2e-4;
  for (const n of [1, 2, 7, 33]) {
    const r = randomArray(gen, dtype, n * n);
    const a = zerosLike(r);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j] + r[j * n + i];
    const vals = [ref, native].map((b) => {
      const values = zerosLike(a, n);
      const vectors = zerosLike(a);
      b.symEig(n, a, values, vectors);
      return { values, vectors };
    });
    const [vr, vn] = vals;
    t.true(maxDiff(vn.values, vr.values) <= tol * n, `eigenvalues n=${n}`);
    const v = vn.vectors;
    t.true(orthonormalityError(v, n, n) <= tol * n, `VᵀV = I, n=${n}`);
    const av = matmul(a, v, n, n, n);
    const vl = Float64Array.from(v, (x, idx) => x * vn.values[idx % n]);
    t.true(maxDiff(av, vl) <= tol * n * 2, `AV = VΛ, n=${n}`);
  }
});

parity('svd: singular values match the reference; U, Vᵀ orthonormal; A = U S Vᵀ', ({ t, native, ref, dtype, gen }) => {
  const tol = dtype === 'float64' ? 1e-11 : 2e-4;
  for (const [m, n] of [[1, 1], [5, 3], [3, 5], [20, 20], [40, 7]]) {
    const k = Math.min(m, n);
    const a: FloatArray = randomArray(gen, dtype, m * n);
    const out = [ref, native].map((b) => {
      const u = zerosLike(a, m * k);
      const s = zerosLike(a, k);
      const vt = zerosLike(a, k * n);
      b.svd(m, n, a, u, s, vt);
      return { u, s, vt };
    });
    const [r, c] = out;
    t.true(maxDiff(c.s, r.s) <= tol * m, `singular values ${m}×${n}`);
    t.true(orthonormalityError(c.u, m, k) <= tol * m, `UᵀU = I ${m}×${n}`);
    t.true(orthonormalityError(transpose(c.vt, k, n), n, k) <= tol * n, `VᵀV = I ${m}×${n}`);
    const us = Float64Array.from(c.u, (x, idx) => x * c.s[idx % k]);
    t.true(maxDiff(matmul(us, c.vt, m, k, n), a) <= tol * Math.max(m, n), `A = USVᵀ ${m}×${n}`);
  }
});
