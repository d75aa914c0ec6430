/**
 * `least-squares`: L(w) = ½‖Xw − y‖² on random data (hw problem 5). Checks
 * the gradient Xᵀ(Xw − y) against autograd, finds w* by linalg.solve(XᵀX,
 * Xᵀy) and by linalg.lstsq(X, y), writes out w_1 and w_2 in terms of α, w_0,
 * X, y, and compares the closed form w_k = w* + (I − αXᵀX)^k (w_0 − w*) with
 * k steps of gradient descent for k = 1..K. A step size above 2/λ_max is a
 * demonstration of divergence, not an error. The formulas live in gd.ts.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError } from '../../cli/flags';
import { writeCsv } from '../../report/files';
import { savePlot } from '../../report/plot';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, startRun } from '../common';
import {
  autogradGradient, distance, firstIterates, gdStep, gradient, gramSpectrum, host, loss, makeProblem, maxAbsDiff,
  minimiser, spectralRadius, trajectory,
} from './gd';

const DETAILS = 'Data: X is N×D with N(0,1) entries, y = X w_true + 0.5·N(0,1) noise, w_0 ~ N(0,1) (all seeded, float64; '
  + 'data.csv holds X, y and metrics.json w_0, so any other tool can redo the numbers). The gradient is checked against '
  + 'autograd at w_0. w* comes from linalg.solve(XᵀX, Xᵀy) and linalg.lstsq(X, y) (when XᵀX is singular, e.g. N < D, '
  + 'only lstsq, the minimum-norm minimiser). The closed form uses (I − αXᵀX)^k built by repeated matrix products. '
  + 'The default step is α = 1/λ_max(XᵀX); GD converges iff ρ(I − αXᵀX) = max_i |1 − αλ_i| < 1, i.e. α < 2/λ_max. '
  + 'A larger --alpha is shown diverging (exit code 0): the iterates grow like ρ^k and the closed form still tracks them.';

const sci = (x: number, digits = 3): string => x.toExponential(digits);
const vec = (x: ArrayLike<number>, limit = 8): string =>
  `[${Array.from(x).slice(0, limit).map((v) => v.toPrecision(6)).join(', ')}${x.length > limit ? ', …' : ''}]`;

export const leastSquares: Command = {
  name: 'least-squares',
  describe: 'L(w) = ½‖Xw − y‖²: gradient vs autograd, w* by solve and lstsq, GD iterates w_1, w_2 and the closed form w_k = w* + (I − αXᵀX)^k (w_0 − w*) vs k GD steps',
  flags: [
    { name: 'n', type: 'int', default: 100, min: 1, max: 1000000, description: 'rows N of X (samples)' },
    { name: 'd', type: 'int', default: 5, min: 1, max: 500, description: 'columns D of X (parameters)' },
    { name: 'alpha', type: 'number', description: 'GD step size α > 0 (default: 1/λ_max of XᵀX; above 2/λ_max GD diverges, which is shown, not refused)' },
    { name: 'steps', type: 'int', default: 50, min: 1, max: 100000, description: 'GD steps K (the closed form is compared at every k = 1..K)' },
    ...commonFlags(),
  ],
  details: DETAILS,
  async run(flags) {
    const n = flags.n as number, d = flags.d as number, steps = flags.steps as number;
    const alphaFlag = flags.alpha as number | undefined;
    if (alphaFlag !== undefined && !(alphaFlag > 0)) throw new UsageError(`--alpha must be a number > 0, not ${alphaFlag}`);
    const ctx = startRun('least-squares', flags);
    const problem = makeProblem(n, d, ctx.generator, ctx.backend);
    const { X, y, w0 } = problem;

    // Gradient: analytic vs autograd at w_0.
    const g = host(gradient(X, y, w0)), gAuto = host(autogradGradient(X, y, w0));
    const gradDiff = maxAbsDiff(g, gAuto);

    // Spectrum of XᵀX and the step size.
    const lambdas = gramSpectrum(X);
    const lambdaMin = lambdas[0], lambdaMax = lambdas[lambdas.length - 1];
    const alpha = alphaFlag ?? 1 / lambdaMax;
    const rho = spectralRadius(lambdas, alpha);
    const diverges = rho > 1;

    // The minimiser, two ways.
    const ws = minimiser(X, y);
    const wStar = ws.bySolve ?? ws.byLstsq;
    const wSolve = ws.bySolve ? host(ws.bySolve) : null, wLstsq = host(ws.byLstsq);
    const solveVsLstsq = wSolve ? maxAbsDiff(wSolve, wLstsq) : NaN;

    // w_1, w_2: GD steps vs the written-out formulas.
    const gd1 = gdStep(X, y, w0, alpha), gd2 = gdStep(X, y, gd1, alpha);
    const f = firstIterates(X, y, w0, alpha);
    const w1Diff = maxAbsDiff(host(gd1), host(f.w1)), w2Diff = maxAbsDiff(host(gd2), host(f.w2));

    // k = 0..K: GD vs the closed form.
    const tr = trajectory(problem, wStar, alpha, steps);
    const ws0 = host(wStar);
    let maxDiff = 0, maxRel = 0;
    for (let k = 0; k < tr.gd.length; k++) {
      const diff = distance(tr.closed[k], tr.gd[k]);
      const rel = diff / Math.max(distance(tr.gd[k]), Number.MIN_VALUE);
      if (k > 0) {
        maxDiff = Math.max(maxDiff, diff);
        maxRel = Math.max(maxRel, rel);
      }
      ctx.metrics.push('iterates', {
        k, gdDistanceToMinimiser: distance(tr.gd[k], ws0), closedFormDistanceToMinimiser: distance(tr.closed[k], ws0),
        closedFormMinusGd: diff, closedFormMinusGdRelative: rel, loss: tr.loss[k],
      });
    }
    const last = tr.gd.length - 1;
    const overflowed = last < steps;

    console.log('least-squares: L(w) = ½‖Xw − y‖²,  ∇L(w) = Xᵀ(Xw − y),  w* = argmin L = (XᵀX)⁻¹Xᵀy (X of full column rank)');
    console.log('  w_1 = w_0 − αXᵀ(Xw_0 − y) = (I − αXᵀX) w_0 + αXᵀy');
    console.log('  w_2 = (I − αXᵀX)² w_0 + α(I − αXᵀX) Xᵀy + αXᵀy');
    console.log('  w_k = (I − αXᵀX)^k w_0 + α Σ_{j<k} (I − αXᵀX)^j Xᵀy = w* + (I − αXᵀX)^k (w_0 − w*)');
    console.log(`least-squares: X ${n}×${d}, backend ${ctx.backend.name}, float64; eigenvalues of XᵀX in [${sci(lambdaMin)}, ${sci(lambdaMax)}], `
      + `2/λ_max = ${sci(2 / lambdaMax)}; α = ${sci(alpha)}${alphaFlag === undefined ? ' (1/λ_max)' : ''}, ρ(I − αXᵀX) = ${rho.toPrecision(6)}`);
    console.log(formatTable(['vector', 'values'], [
      ['w_0', vec(host(w0))],
      ['∇L(w_0) = Xᵀ(Xw_0 − y)', vec(g)],
      ['∇L(w_0) by autograd', vec(gAuto)],
      ['w* = solve(XᵀX, Xᵀy)', wSolve ? vec(wSolve) : `— (${ws.solveError})`],
      ['w* = lstsq(X, y)', vec(wLstsq)],
      ['w_1 (formula)', vec(host(f.w1))],
      ['w_2 (formula)', vec(host(f.w2))],
    ]));
    if (diverges) {
      console.log(`least-squares: GD diverges: α = ${sci(alpha)} > 2/λ_max = ${sci(2 / lambdaMax)}, so the spectral radius `
        + `ρ(I − αXᵀX) = |1 − αλ_max| = ${rho.toPrecision(6)} exceeds 1 and ‖w_k − w*‖ grows like ρ^k `
        + `(${sci(distance(tr.gd[0], ws0))} at k=0, ${sci(distance(tr.gd[last], ws0))} at k=${last}); `
        + `the closed form tracks the iterates to a relative ${sci(maxRel, 2)}.`);
    } else if (rho === 1) {
      console.log('least-squares: ρ(I − αXᵀX) = 1: GD does not contract along the eigenvectors with |1 − αλ| = 1'
        + (lambdaMin === 0 ? ' (λ = 0: the null space of X, which GD never changes, so w_k tends to w* plus the null-space part of w_0 − w*)' : ''));
    }
    if (overflowed) console.log(`least-squares: the iterates overflowed after k = ${last}; the comparison stops there`);
    const shown = Array.from({ length: tr.gd.length }, (_, k) => k).filter((k) => k <= 3 || k === last || k % 10 === 0);
    console.log(formatTable(['k', '‖w_k − w*‖ (GD)', '‖closed form − GD‖', 'relative', 'L(w_k)'], shown.map((k) => {
      const p = ctx.metrics.series('iterates')[k];
      return [k, sci(p.gdDistanceToMinimiser), sci(p.closedFormMinusGd, 2), sci(p.closedFormMinusGdRelative, 2), p.loss.toPrecision(10)];
    })));

    // Files: the data, the curves, the plots.
    const Xh = host(X), yh = host(y);
    writeCsv(path.join(ctx.dir, 'data.csv'), [...Array.from({ length: d }, (_, j) => `x${j}`), 'y'],
      Array.from({ length: n }, (_, i) => [...Xh.subarray(i * d, (i + 1) * d), yh[i]]));
    const it = ctx.metrics.series('iterates');
    const ks = it.map((p) => p.k);
    const bound = ks.map((k) => rho ** k * distance(tr.gd[0], ws0));
    await savePlot(path.join(ctx.dir, 'convergence.svg'), {
      title: `least-squares: ‖w_k − w*‖, X ${n}×${d}, α = ${alpha.toPrecision(3)} (2/λ_max = ${(2 / lambdaMax).toPrecision(3)})`,
      xLabel: 'GD step k', yLabel: '‖w_k − w*‖₂', logY: true,
      series: [
        { name: 'gradient descent', x: ks, y: it.map((p) => p.gdDistanceToMinimiser) },
        { name: 'closed form w* + (I − αXᵀX)^k (w_0 − w*)', x: ks, y: it.map((p) => p.closedFormDistanceToMinimiser) },
        { name: `ρ^k ‖w_0 − w*‖, ρ = ${rho.toPrecision(4)}`, x: ks, y: bound },
      ],
    });
    await savePlot(path.join(ctx.dir, 'closed-form-difference.svg'), {
      title: 'least-squares: closed form vs gradient descent', xLabel: 'GD step k', yLabel: 'difference', logY: true,
      series: [
        { name: '‖closed form − GD‖₂', x: ks.slice(1), y: it.slice(1).map((p) => p.closedFormMinusGd) },
        { name: 'relative to ‖w_k‖₂', x: ks.slice(1), y: it.slice(1).map((p) => p.closedFormMinusGdRelative) },
      ],
    });

    const result = {
      n, d, steps, stepsRun: last, alpha, alphaIsDefault: alphaFlag === undefined, eigenvalues: lambdas, lambdaMin, lambdaMax,
      twoOverLambdaMax: 2 / lambdaMax, spectralRadius: rho, diverges, overflowed,
      w0: Array.from(host(w0)), gradientAtW0: Array.from(g), autogradGradientAtW0: Array.from(gAuto), gradientMaxAbsDiff: gradDiff,
      wStarSolve: wSolve ? Array.from(wSolve) : null, solveError: ws.solveError, wStarLstsq: Array.from(wLstsq), rankX: ws.rank,
      solveVsLstsqMaxAbsDiff: solveVsLstsq,
      w1: Array.from(host(gd1)), w2: Array.from(host(gd2)), w1Formula: Array.from(host(f.w1)), w2Formula: Array.from(host(f.w2)),
      w1MaxAbsDiff: w1Diff, w2MaxAbsDiff: w2Diff,
      closedFormMaxDiff: maxDiff, closedFormMaxRelativeDiff: maxRel,
      lossAtW0: tr.loss[0], lossAtWStar: loss(X, y, wStar), lossAtLast: tr.loss[last],
      distanceAtW0: distance(tr.gd[0], ws0), distanceAtLast: distance(tr.gd[last], ws0), wLast: Array.from(tr.gd[last]),
    };
    ctx.metrics.set('result', result);
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'least-squares', [
      ['X', `${n}×${d} (float64, ${ctx.backend.name})`],
      ['eigenvalues of XᵀX (λ_min / λ_max)', `${sci(lambdaMin)} / ${sci(lambdaMax)}`],
      ['2/λ_max', sci(2 / lambdaMax)],
      ['step size α', `${sci(alpha)}${alphaFlag === undefined ? ' (1/λ_max)' : ''}`],
      ['spectral radius ρ(I − αXᵀX)', `${rho.toPrecision(6)}${diverges ? ' > 1: GD diverges' : rho < 1 ? ' < 1: GD converges' : ''}`],
      ['∇L: max |Xᵀ(Xw_0 − y) − autograd|', sci(gradDiff, 2)],
      ['w*: max |solve(XᵀX, Xᵀy) − lstsq(X, y)|', wSolve ? sci(solveVsLstsq, 2) : 'XᵀX singular: lstsq only'],
      ['w_1, w_2: max |formula − GD step|', `${sci(w1Diff, 2)}, ${sci(w2Diff, 2)}`],
      [`closed form vs GD: max_k ‖Δw_k‖₂, k = 1..${last}`, sci(maxDiff, 2)],
      ['closed form vs GD: max relative', sci(maxRel, 2)],
      [`‖w_k − w*‖ at k = 0 / ${last}`, `${sci(distance(tr.gd[0], ws0))} / ${sci(distance(tr.gd[last], ws0))}`],
      [`L(w_0) / L(w_${last}) / L(w*)`, `${tr.loss[0].toPrecision(8)} / ${tr.loss[last].toPrecision(8)} / ${result.lossAtWStar.toPrecision(8)}`],
      ['files', 'metrics.json, iterates.csv, data.csv, convergence.svg, closed-form-difference.svg'],
    ]);
  },
};
