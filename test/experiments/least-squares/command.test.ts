import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { leastSquares } from '../../../src/experiments/least-squares';
import { tsBackend } from '../../../src/backend/ts';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [leastSquares];

function tmpOut(tag: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), `gradnode-ls-${tag}-`)), 'run');
}

function readCsv(file: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

/** The problem as plain JS arrays, read back from data.csv and metrics.json. */
function loadRun(dir: string) {
  const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
  const data = readCsv(path.join(dir, 'data.csv'));
  const d = data.header.length - 1;
  const X = data.rows.map((r) => r.slice(0, d)), y = data.rows.map((r) => r[d]);
  return { metrics, r: metrics.result, X, y, d, n: X.length };
}

// Plain-JS linear algebra, independent of the library.
const matVec = (A: number[][], v: number[]) => A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
const transposeVec = (A: number[][], v: number[]) => A[0].map((_, j) => A.reduce((s, row, i) => s + row[j] * v[i], 0));
const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
const norm = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
function gram(X: number[][]): number[][] {
  const d = X[0].length;
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => X.reduce((s, row) => s + row[i] * row[j], 0)));
}
/** Gaussian elimination with partial pivoting. */
function gaussSolve(A: number[][], b: number[]): number[] {
  const n = b.length, M = A.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < n; i++) {
      const l = M[i][k] / M[k][k];
      for (let j = k; j <= n; j++) M[i][j] -= l * M[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let v = M[i][n];
    for (let j = i + 1; j < n; j++) v -= M[i][j] * x[j];
    x[i] = v / M[i][i];
  }
  return x;
}
function eigenvalues(A: number[][]): number[] {
  const n = A.length, values = new Float64Array(n), vectors = new Float64Array(n * n);
  tsBackend.symEig(n, Float64Array.from(A.flat()), values, vectors);
  return Array.from(values);
}

test.serial('least-squares: default run — gradient, minimiser, w_1, w_2 and the closed form against an independent computation', async (t) => {
  const out = tmpOut('default');
  const run = await runCli(commands, ['least-squares', '--out', out, '--seed', '3']);
  t.is(run.code, 0, run.err);
  for (const f of ['metrics.json', 'iterates.csv', 'data.csv', 'convergence.svg', 'closed-form-difference.svg']) {
    t.true(fs.existsSync(path.join(out, f)), f);
  }
  t.true(fs.readFileSync(path.join(out, 'convergence.svg'), 'utf8').startsWith('<svg'));
  t.regex(run.out, /w_2 = \(I − αXᵀX\)² w_0 \+ α\(I − αXᵀX\) Xᵀy \+ αXᵀy/);
  t.regex(run.out, /w\* \+ \(I − αXᵀX\)\^k \(w_0 − w\*\)/);
  const { r, X, y, n, d } = loadRun(out);
  t.deepEqual([n, d, r.steps], [100, 5, 50]);
  const w0: number[] = r.w0;
  const scale = (v: number[]) => Math.max(1, ...v.map(Math.abs));

  // ∇L(w_0) = Xᵀ(Xw_0 − y), and autograd agrees.
  const g = transposeVec(X, sub(matVec(X, w0), y));
  t.true(maxAbsDiff(r.gradientAtW0, g) <= 1e-12 * scale(g), `gradient ${maxAbsDiff(r.gradientAtW0, g)}`);
  t.true(r.gradientMaxAbsDiff <= 1e-12 * scale(g));
  t.true(maxAbsDiff(r.autogradGradientAtW0, g) <= 1e-12 * scale(g));

  // w* from the normal equations; solve and lstsq agree.
  const A = gram(X), c = transposeVec(X, y);
  const wStar = gaussSolve(A, c);
  t.true(maxAbsDiff(r.wStarSolve, wStar) <= 1e-12 * scale(wStar), `solve ${maxAbsDiff(r.wStarSolve, wStar)}`);
  t.true(maxAbsDiff(r.wStarLstsq, wStar) <= 1e-12 * scale(wStar), `lstsq ${maxAbsDiff(r.wStarLstsq, wStar)}`);
  t.true(r.solveVsLstsqMaxAbsDiff <= 1e-12);
  t.is(r.rankX, 5);

  // λ_max, the default α = 1/λ_max, ρ = max |1 − αλ|.
  const lambdas = eigenvalues(A);
  const lmax = lambdas[d - 1], lmin = lambdas[0];
  t.true(Math.abs(r.lambdaMax - lmax) <= 1e-12 * lmax && Math.abs(r.lambdaMin - lmin) <= 1e-12 * lmax);
  t.true(Math.abs(r.twoOverLambdaMax - 2 / lmax) <= 1e-15);
  t.true(r.alphaIsDefault);
  t.true(Math.abs(r.alpha - 1 / lmax) <= 1e-15 / lmax);
  t.true(Math.abs(r.spectralRadius - (1 - lmin / lmax)) <= 1e-12);
  t.false(r.diverges);

  // w_1 = w_0 − αXᵀ(Xw_0 − y), w_2 likewise, and the written-out formulas give the same.
  const alpha: number = r.alpha;
  const step = (w: number[]) => sub(w, transposeVec(X, sub(matVec(X, w), y)).map((v) => alpha * v));
  const w1 = step(w0), w2 = step(w1);
  t.true(maxAbsDiff(r.w1, w1) <= 1e-12 * scale(w1));
  t.true(maxAbsDiff(r.w2, w2) <= 1e-12 * scale(w2));
  t.true(maxAbsDiff(r.w1Formula, w1) <= 1e-12 * scale(w1));
  t.true(maxAbsDiff(r.w2Formula, w2) <= 1e-12 * scale(w2));

  // The closed form tracks GD to 1e-10 for k = 1..50; the curves match an independent GD run.
  t.true(r.closedFormMaxDiff <= 1e-10, `closed form vs GD ${r.closedFormMaxDiff}`);
  const it = readCsv(path.join(out, 'iterates.csv'));
  t.deepEqual(it.header, ['k', 'gdDistanceToMinimiser', 'closedFormDistanceToMinimiser', 'closedFormMinusGd', 'closedFormMinusGdRelative', 'loss']);
  t.is(it.rows.length, 51);
  let w = w0;
  for (let k = 0; k <= 50; k++) {
    const [kk, dist, , diff, , L] = it.rows[k];
    t.is(kk, k);
    t.true(Math.abs(dist - norm(sub(w, wStar))) <= 1e-12 * Math.max(1, norm(w)), `k=${k}: ‖w_k − w*‖ ${dist} vs ${norm(sub(w, wStar))}`);
    const res = sub(matVec(X, w), y);
    const loss = 0.5 * res.reduce((s, v) => s + v * v, 0);
    t.true(Math.abs(L - loss) <= 1e-10 * loss, `k=${k}: loss`);
    t.true(diff <= 1e-10);
    w = step(w);
  }
  t.true(it.rows[50][1] < 1e-12, 'GD converged to w*');
  t.true(Math.abs(r.lossAtWStar - 0.5 * norm(sub(matVec(X, wStar), y)) ** 2) <= 1e-10 * r.lossAtWStar);
});

test.serial('least-squares: α above 2/λ_max diverges, is reported, exits 0, and the closed form tracks the iterates', async (t) => {
  const first = tmpOut('probe');
  t.is((await runCli(commands, ['least-squares', '--out', first, '--seed', '3', '--steps', '1'])).code, 0);
  const { r: probe } = loadRun(first);
  const alpha = 2.5 / probe.lambdaMax;
  const out = tmpOut('diverge');
  const run = await runCli(commands, ['least-squares', '--out', out, '--seed', '3', '--alpha', String(alpha)]);
  t.is(run.code, 0, run.err);
  t.regex(run.out, /GD diverges: α = .* > 2\/λ_max = .*spectral radius ρ\(I − αXᵀX\) = \|1 − αλ_max\| = 1\.5\d* exceeds 1/);
  const { r } = loadRun(out);
  t.true(r.diverges);
  t.false(r.alphaIsDefault);
  t.is(r.alpha, alpha);
  t.true(Math.abs(r.spectralRadius - 1.5) <= 1e-12, `ρ = ${r.spectralRadius}`);
  t.true(r.distanceAtLast > 1e6 * r.distanceAtW0, 'the iterates grow');
  t.true(r.closedFormMaxRelativeDiff <= 1e-10, `relative ${r.closedFormMaxRelativeDiff}`);
  const it = readCsv(path.join(out, 'iterates.csv'));
  // ‖w_k − w*‖ grows by about ρ = 1.5 per step once the top eigenvector dominates.
  const ratio = it.rows[50][1] / it.rows[49][1];
  t.true(Math.abs(ratio - 1.5) < 1e-3, `growth per step ${ratio}`);
});

test.serial('least-squares: N < D (XᵀX singular) uses the minimum-norm lstsq minimiser; the closed form still holds', async (t) => {
  const out = tmpOut('wide');
  const run = await runCli(commands, ['least-squares', '--out', out, '--n', '3', '--d', '6', '--steps', '40', '--alpha', '0.05']);
  t.is(run.code, 0, run.err);
  const { r, X, y } = loadRun(out);
  t.is(r.wStarSolve, null);
  t.regex(r.solveError, /singular/);
  t.is(r.rankX, 3);
  // X w* = y exactly (consistent), and w* is in the row space: w* = Xᵀ(XXᵀ)⁻¹y.
  const XXt = X.map((a) => X.map((b) => a.reduce((s, v, j) => s + v * b[j], 0)));
  const minNorm = transposeVec(X, gaussSolve(XXt, y));
  t.true(maxAbsDiff(r.wStarLstsq, minNorm) <= 1e-10 * Math.max(1, ...minNorm.map(Math.abs)));
  t.true(r.closedFormMaxDiff <= 1e-10, `${r.closedFormMaxDiff}`);
});

test.serial('least-squares: the ts and cpu backends give the same numbers', async (t) => {
  const results = [];
  for (const be of ['ts', 'cpu']) {
    const out = tmpOut(be);
    const run = await runCli(commands, ['least-squares', '--out', out, '--backend', be, '--n', '40', '--d', '7', '--steps', '20']);
    if (run.code !== 0 && /cpu/.test(run.err)) {
      t.log(`skipped cpu: ${run.err}`);
      return;
    }
    t.is(run.code, 0, run.err);
    results.push(loadRun(out).r);
  }
  const [a, b] = results;
  t.true(maxAbsDiff(a.wStarSolve, b.wStarSolve) <= 1e-12);
  t.true(Math.abs(a.lambdaMax - b.lambdaMax) <= 1e-12 * a.lambdaMax);
  t.true(maxAbsDiff(a.wLast, b.wLast) <= 1e-12);
});

test.serial('least-squares: bad flags exit 2 with one line and write nothing', async (t) => {
  const never = path.join(os.tmpdir(), 'gradnode-ls-never');
  const cases = [['--alpha', '0'], ['--alpha', '-0.1'], ['--alpha', 'abc'], ['--alpha', 'Infinity'], ['--n', '0'], ['--n', '2.5'],
    ['--n', '2000000'], ['--d', '0'], ['--d', '501'], ['--d', 'x'], ['--steps', '0'], ['--steps', '1.5'], ['--steps', '100001'],
    ['--seed', '0.5'], ['--backend', 'gpu'], ['--bogus']];
  await expectUsageErrors(t, commands, 'least-squares', cases, never);
  const help = await runCli(commands, ['least-squares', '--help']);
  t.is(help.code, 0);
  t.regex(help.out, /--alpha/);
  t.regex(help.out, /ρ\(I − αXᵀX\)/);
});
