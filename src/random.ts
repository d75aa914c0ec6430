/**
 * Seeded random numbers: one global generator (`manualSeed`) and explicit
 * `Generator`s. Numbers are drawn in TypeScript, so every backend gets the
 * same values for the same seed.
 *
 * The bit generator is xoshiro128** (Blackman & Vigna), seeded through
 * splitmix32; doubles take 53 random bits from two draws.
 */

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

export class Generator {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the sequence from a seed (any safe integer). */
  seed(seed: number): this {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Expected a safe integer seed but received ${seed}`);
    }
    // Mix both 32-bit halves of the seed into the state.
    let state = (seed | 0) ^ Math.floor(seed / 0x100000000);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      let w: number;
      [state, w] = splitmix32(state);
      words.push(w);
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
    return this;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`Expected an integer range 1..2^32 but received ${n}`);
    }
    const limit = 0x100000000 - (0x100000000 % n);
    let x: number;
    do x = this.nextUint32(); while (x >= limit);
    return x % n;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** Shuffles an array in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** Fills an array with uniform values in [low, high). */
  fillUniform(out: { length: number; [i: number]: number }, low = 0, high = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
  }

  /** Fills an array with normal values. */
  fillNormal(out: { length: number; [i: number]: number }, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The global generator used when no generator is passed. */
export const defaultGenerator = new Generator(0);

/** Seeds the global generator (like torch.manual_seed). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.seed(seed);
}
