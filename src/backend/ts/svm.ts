/**
 * svcSolve, the reference: the same SMO as native/cpu/svm.cc (libsvm 3.x's
 * Solver for C-SVC — second-order working sets, shrinking, unshrinking once
 * within 10·tol, ties to the last index of the active order, float Q rows),
 * line for line, with the dot products summed in double in index order.
 * The pairs are solved one after another.
 */
import { SVC_KERNELS, type Storage, type SvcSolveParams } from '../backend';
import { checkFloatArrays, checkInt32Array } from '../check';

const TAU = 1e-12;
const LOWER = 0;
const UPPER = 1;
const FREE = 2;

function powi(base: number, times: number): number {
  let tmp = base;
  let ret = 1;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

function kernelFunction(q: SvcSolveParams): (dot: number, sqA: number, sqB: number) => number {
  switch (q.kernel) {
    case 'linear': return (dot) => dot;
    case 'poly': return (dot) => powi(q.gamma * dot + q.coef0, q.degree);
    case 'rbf': return (dot, sqA, sqB) => Math.exp(-q.gamma * (sqA + sqB - 2 * dot));
    case 'sigmoid': return (dot) => Math.tanh(q.gamma * dot + q.coef0);
    default: throw new RangeError(`svcSolve: unknown kernel ${JSON.stringify(q.kernel)}; expected one of ${SVC_KERNELS.join(', ')}`);
  }
}

/** Q of one binary problem over rows x[0 .. l) (l×d), all of it when it fits the cache, else LRU rows. */
class QMatrix {
  readonly diag: Float64Array;
  private readonly sq: Float64Array;
  private readonly rows: Float32Array;
  private readonly full: boolean;
  private readonly capacity: number;
  private readonly slotOf: Int32Array;
  private readonly owner: Int32Array;
  private readonly lastUse: Float64Array;
  private clock = 0;

  constructor(private readonly x: Float32Array | Float64Array, private readonly l: number, private readonly d: number,
              private readonly y: Int8Array, private readonly kernel: (dot: number, a: number, b: number) => number,
              cacheBytes: number) {
    this.sq = new Float64Array(l);
    this.diag = new Float64Array(l);
    for (let a = 0; a < l; a++) {
      const s = this.dot(a, a);
      this.sq[a] = s;
      this.diag[a] = kernel(s, s, s);
    }
    this.full = l * l * 4 <= cacheBytes;
    this.capacity = this.full ? l : Math.max(2, Math.floor(cacheBytes / (l * 4)));
    this.rows = new Float32Array(this.capacity * l);
    this.slotOf = new Int32Array(l).fill(-1);
    this.owner = new Int32Array(this.capacity).fill(-1);
    this.lastUse = new Float64Array(this.capacity);
    if (this.full) {
      for (let a = 0; a < l; a++) {
        for (let b = 0; b <= a; b++) this.rows[a * l + b] = this.rows[b * l + a] = this.entry(a, b, this.dot(a, b));
      }
    }
  }

  /** Row a of Q (length l). Stays valid until two more rows are asked for. */
  row(a: number): Float32Array {
    const l = this.l;
    if (this.full) return this.rows.subarray(a * l, (a + 1) * l);
    let slot = this.slotOf[a];
    if (slot < 0) {
      slot = 0;
      for (let s = 1; s < this.capacity; s++) if (this.lastUse[s] < this.lastUse[slot]) slot = s;
      if (this.owner[slot] >= 0) this.slotOf[this.owner[slot]] = -1;
      this.owner[slot] = a;
      this.slotOf[a] = slot;
      for (let b = 0; b < l; b++) this.rows[slot * l + b] = this.entry(a, b, this.dot(a, b));
    }
    this.lastUse[slot] = ++this.clock;
    return this.rows.subarray(slot * l, (slot + 1) * l);
  }

  private dot(a: number, b: number): number {
    const { x, d } = this;
    let s = 0;
    for (let c = 0; c < d; c++) s += x[a * d + c] * x[b * d + c];
    return s;
  }

  private entry(a: number, b: number, dot: number): number {
    const k = a === b ? this.diag[a] : this.kernel(dot, this.sq[a], this.sq[b]);
    return this.y[a] * this.y[b] * k;
  }
}

/** SMO on one binary problem; writes y·α to out (the problem's order), returns ρ. */
class Solver {
  private readonly y: Int8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly alpha: Float64Array;
  private readonly QD: Float64Array;
  private readonly status: Uint8Array;
  private readonly perm: Int32Array;
  private active: number;
  private unshrunk = false;
  iterations = 0;
  timedOut = false;

  constructor(private readonly q: QMatrix, y: Int8Array, private readonly l: number, private readonly C: number,
              private readonly tol: number, private readonly shrinking: boolean, private readonly maxIter: number) {
    this.y = Int8Array.from(y);
    this.G = new Float64Array(l).fill(-1);
    this.Gbar = new Float64Array(l);
    this.alpha = new Float64Array(l);
    this.QD = Float64Array.from(q.diag);
    this.status = new Uint8Array(l).fill(LOWER);
    this.perm = new Int32Array(l).map((_, i) => i);
    this.active = l;
  }

  solve(out: Float64Array, offset: number): number {
    const l = this.l;
    let counter = Math.min(l, 1000) + 1;
    const ij = [0, 0];
    for (;;) {
      if (this.maxIter > 0 && this.iterations >= this.maxIter) {
        this.timedOut = true;
        break;
      }
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (this.shrinking) this.shrink();
      }
      if (!this.selectWorkingSet(ij)) {
        this.reconstructGradient();
        this.active = l;
        if (!this.selectWorkingSet(ij)) break;
        counter = 1;
      }
      this.iterations++;
      this.step(ij[0], ij[1]);
    }
    const rho = this.calculateRho();
    for (let a = 0; a < l; a++) out[offset + this.perm[a]] = this.alpha[a] * this.y[a];
    return rho;
  }

  private row(a: number): Float32Array {
    return this.q.row(this.perm[a]);
  }

  private updateStatus(a: number): void {
    const v = this.alpha[a];
    this.status[a] = v >= this.C ? UPPER : v <= 0 ? LOWER : FREE;
  }

  private swap(a: number, b: number): void {
    const sw = (arr: { [i: number]: number }): void => { const t = arr[a]; arr[a] = arr[b]; arr[b] = t; };
    sw(this.y); sw(this.G); sw(this.Gbar); sw(this.alpha); sw(this.QD); sw(this.status); sw(this.perm);
  }

  private step(i: number, j: number): void {
    const { alpha, G, QD, perm, C } = this;
    const Qi = this.row(i);
    const Qj = this.row(j);
    const oldI = alpha[i];
    const oldJ = alpha[j];
    let ai = oldI;
    let aj = oldJ;
    if (this.y[i] !== this.y[j]) {
      let quad = QD[i] + QD[j] + 2 * Qi[perm[j]];
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) { aj = 0; ai = diff; }
      } else if (ai < 0) {
        ai = 0; aj = -diff;
      }
      if (diff > 0) {
        if (ai > C) { ai = C; aj = C - diff; }
      } else if (aj > C) {
        aj = C; ai = C + diff;
      }
    } else {
      let quad = QD[i] + QD[j] - 2 * Qi[perm[j]];
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > C) {
        if (ai > C) { ai = C; aj = sum - C; }
      } else if (aj < 0) {
        aj = 0; ai = sum;
      }
      if (sum > C) {
        if (aj > C) { aj = C; ai = sum - C; }
      } else if (ai < 0) {
        ai = 0; aj = sum;
      }
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const dI = ai - oldI;
    const dJ = aj - oldJ;
    for (let k = 0; k < this.active; k++) G[k] += Qi[perm[k]] * dI + Qj[perm[k]] * dJ;
    const wasUpperI = this.status[i] === UPPER;
    const wasUpperJ = this.status[j] === UPPER;
    this.updateStatus(i);
    this.updateStatus(j);
    this.updateGbar(Qi, wasUpperI, this.status[i] === UPPER);
    this.updateGbar(Qj, wasUpperJ, this.status[j] === UPPER);
  }

  private updateGbar(r: Float32Array, wasUpper: boolean, isUpper: boolean): void {
    if (wasUpper === isUpper) return;
    const c = wasUpper ? -this.C : this.C;
    for (let k = 0; k < this.l; k++) this.Gbar[k] += c * r[this.perm[k]];
  }

  private selectWorkingSet(out: number[]): boolean {
    const { y, G, QD, status, perm } = this;
    let gmax = -Infinity;
    let gmax2 = -Infinity;
    let objDiffMin = Infinity;
    let gmaxIdx = -1;
    let gminIdx = -1;
    for (let t = 0; t < this.active; t++) {
      if (y[t] === 1) {
        if (status[t] !== UPPER && -G[t] >= gmax) { gmax = -G[t]; gmaxIdx = t; }
      } else if (status[t] !== LOWER && G[t] >= gmax) {
        gmax = G[t]; gmaxIdx = t;
      }
    }
    const i = gmaxIdx;
    const Qi = i !== -1 ? this.row(i) : null;
    for (let j = 0; j < this.active; j++) {
      let gradDiff: number;
      let quad: number;
      if (y[j] === 1) {
        if (status[j] === LOWER) continue;
        gradDiff = gmax + G[j];
        if (G[j] >= gmax2) gmax2 = G[j];
        if (!(gradDiff > 0)) continue;
        quad = QD[i] + QD[j] - 2 * y[i] * Qi![perm[j]];
      } else {
        if (status[j] === UPPER) continue;
        gradDiff = gmax - G[j];
        if (-G[j] >= gmax2) gmax2 = -G[j];
        if (!(gradDiff > 0)) continue;
        quad = QD[i] + QD[j] + 2 * y[i] * Qi![perm[j]];
      }
      const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
      if (objDiff <= objDiffMin) { gminIdx = j; objDiffMin = objDiff; }
    }
    if (gmax + gmax2 < this.tol || gminIdx === -1) return false;
    out[0] = gmaxIdx;
    out[1] = gminIdx;
    return true;
  }

  private beShrunk(a: number, gmax1: number, gmax2: number): boolean {
    const g = this.G[a];
    if (this.status[a] === UPPER) return this.y[a] === 1 ? -g > gmax1 : -g > gmax2;
    if (this.status[a] === LOWER) return this.y[a] === 1 ? g > gmax2 : g > gmax1;
    return false;
  }

  private shrink(): void {
    const { y, G, status } = this;
    let gmax1 = -Infinity;
    let gmax2 = -Infinity;
    for (let a = 0; a < this.active; a++) {
      if (y[a] === 1) {
        if (status[a] !== UPPER && -G[a] >= gmax1) gmax1 = -G[a];
        if (status[a] !== LOWER && G[a] >= gmax2) gmax2 = G[a];
      } else {
        if (status[a] !== UPPER && -G[a] >= gmax2) gmax2 = -G[a];
        if (status[a] !== LOWER && G[a] >= gmax1) gmax1 = G[a];
      }
    }
    if (!this.unshrunk && gmax1 + gmax2 <= this.tol * 10) {
      this.unshrunk = true;
      this.reconstructGradient();
      this.active = this.l;
    }
    for (let a = 0; a < this.active; a++) {
      if (!this.beShrunk(a, gmax1, gmax2)) continue;
      this.active--;
      while (this.active > a) {
        if (!this.beShrunk(this.active, gmax1, gmax2)) {
          this.swap(a, this.active);
          break;
        }
        this.active--;
      }
    }
  }

  private reconstructGradient(): void {
    const { l, active, G, Gbar, alpha, status, perm } = this;
    if (active === l) return;
    let nFree = 0;
    for (let j = active; j < l; j++) G[j] = Gbar[j] - 1;
    for (let j = 0; j < active; j++) if (status[j] === FREE) nFree++;
    if (nFree * l > 2 * active * (l - active)) {
      for (let i = active; i < l; i++) {
        const Qi = this.row(i);
        for (let j = 0; j < active; j++) if (status[j] === FREE) G[i] += alpha[j] * Qi[perm[j]];
      }
    } else {
      for (let i = 0; i < active; i++) {
        if (status[i] !== FREE) continue;
        const Qi = this.row(i);
        const ai = alpha[i];
        for (let j = active; j < l; j++) G[j] += ai * Qi[perm[j]];
      }
    }
  }

  private calculateRho(): number {
    let nFree = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let a = 0; a < this.active; a++) {
      const yG = this.y[a] * this.G[a];
      if (this.status[a] === UPPER) {
        if (this.y[a] === -1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
      } else if (this.status[a] === LOWER) {
        if (this.y[a] === 1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }
}

function checkParams(q: SvcSolveParams): void {
  const fail = (what: string): never => { throw new RangeError(`svcSolve: ${what}`); };
  if (!(q.C > 0 && Number.isFinite(q.C))) fail(`C must be a finite number > 0, got ${q.C}`);
  if (!(q.tol > 0 && Number.isFinite(q.tol))) fail(`tol must be a finite number > 0, got ${q.tol}`);
  if (!Number.isFinite(q.gamma) || !Number.isFinite(q.coef0)) fail(`gamma and coef0 must be finite, got ${q.gamma} and ${q.coef0}`);
  if (!Number.isInteger(q.degree) || q.degree < 0) fail(`degree must be an integer >= 0, got ${q.degree}`);
  if (!(q.cacheMB >= 0 && Number.isFinite(q.cacheMB))) fail(`cacheMB must be a finite number >= 0, got ${q.cacheMB}`);
  if (!Number.isInteger(q.maxIter) || q.maxIter < 0) fail(`maxIter must be an integer >= 0, got ${q.maxIter}`);
}

export function svcSolve(n: number, d: number, xs: Storage, classCounts: Int32Array, q: SvcSolveParams,
                         alpha: Float64Array, rho: Float64Array, iterations: Int32Array): number {
  checkFloatArrays('svcSolve', { x: xs });
  checkInt32Array('svcSolve', 'classCounts', classCounts);
  checkInt32Array('svcSolve', 'iterations', iterations);
  if (!(alpha instanceof Float64Array) || !(rho instanceof Float64Array)) throw new TypeError('svcSolve: alpha and rho must be Float64Arrays');
  const x = xs as Float32Array | Float64Array;
  const kernel = kernelFunction(q);
  checkParams(q);
  const k = classCounts.length;
  if (k < 2) throw new RangeError(`svcSolve: classCounts must have at least 2 classes, got ${k}`);
  const start = new Array<number>(k + 1).fill(0);
  for (let c = 0; c < k; c++) {
    if (classCounts[c] < 1) throw new RangeError(`svcSolve: classCounts[${c}] is ${classCounts[c]}; every class needs at least one sample`);
    start[c + 1] = start[c] + classCounts[c];
  }
  if (start[k] !== n) throw new RangeError(`svcSolve: classCounts add up to ${start[k]} but n is ${n}`);
  if (x.length < n * d) throw new RangeError(`svcSolve: x has ${x.length} elements, needs ${n * d} (n=${n}, d=${d})`);
  const pairs = (k * (k - 1)) / 2;
  if (alpha.length < (k - 1) * n) throw new RangeError(`svcSolve: alpha has ${alpha.length} elements, needs ${(k - 1) * n} ((k - 1)·n)`);
  if (rho.length < pairs || iterations.length < pairs) {
    throw new RangeError(`svcSolve: rho and iterations need ${pairs} elements (k(k - 1)/2), got ${rho.length} and ${iterations.length}`);
  }
  for (let e = 0; e < n * d; e++) {
    if (!Number.isFinite(x[e])) throw new RangeError(`svcSolve: x[${Math.floor(e / d)}, ${e % d}] is ${x[e]}; features must be finite`);
  }
  let timedOut = 0;
  for (let i = 0, p = 0, offset = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      const ci = classCounts[i];
      const cj = classCounts[j];
      const l = ci + cj;
      const sub = new Float64Array(l * d);
      sub.set(x.subarray(start[i] * d, (start[i] + ci) * d));
      sub.set(x.subarray(start[j] * d, (start[j] + cj) * d), ci * d);
      const y = new Int8Array(l).fill(-1).fill(1, 0, ci);
      const solver = new Solver(new QMatrix(sub, l, d, y, kernel, q.cacheMB * 1048576), y, l, q.C, q.tol, q.shrinking, q.maxIter);
      rho[p] = solver.solve(alpha, offset);
      iterations[p] = Math.min(solver.iterations, 2 ** 31 - 1);
      if (solver.timedOut) timedOut++;
      offset += l;
    }
  }
  return timedOut;
}
