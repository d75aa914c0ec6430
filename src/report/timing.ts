/**
 * Timing for benchmarks on a noisy host: calls timed in batches long enough
 * for the clock, contenders interleaved round by round (A B C A B C …) so
 * that slow phases hit them alike, and the statistics the tables report.
 * Used by the experiments' benchmarks and by bench/ (through bench/lib/stats.js).
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function min(xs: readonly number[]): number {
  return xs.reduce((a, b) => Math.min(a, b), Infinity);
}

/** Seconds per call of fn, averaged over enough calls to fill about `budget` seconds (after one warm-up call). */
export function timeCalls(fn: () => unknown, budget = 0.15): number {
  fn();
  let reps = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (seconds >= budget || reps >= 1 << 20) return seconds / reps;
    reps = Math.max(reps * 2, Math.ceil((reps * budget) / Math.max(seconds, 1e-6)));
  }
}

/**
 * Runs every contender once per round, in turn; each returns one sample
 * (e.g. seconds per call). Returns the samples per name. `onRound` is told
 * after each round (for a progress bar).
 */
export function interleave(contenders: Record<string, () => number>, rounds: number,
                           onRound?: (round: number) => void): Record<string, number[]> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) samples[name].push(run());
    onRound?.(r + 1);
  }
  return samples;
}
