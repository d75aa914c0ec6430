// @ts-check
'use strict';
/** Small helpers shared by the benchmark scripts: timing, statistics, tables, README sections. */
const fs = require('node:fs');
const path = require('node:path');

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** @param {number[]} xs */
function min(xs) {
  return Math.min(...xs);
}

/** Seconds per call of fn, averaged over enough calls to fill about `budget` seconds. */
function timeCalls(fn, budget = 0.15) {
  fn(); // warm-up
  let reps = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (seconds >= budget || reps >= 1 << 20) return seconds / reps;
    reps = Math.max(reps * 2, Math.ceil(reps * budget / Math.max(seconds, 1e-6)));
  }
}

/**
 * Runs every contender once per round, in turn (A B C A B C ...), so slow
 * phases of a noisy host hit them alike. Returns seconds per round per name.
 * @param {Record<string, () => number>} contenders each returns seconds per call
 * @param {number} rounds
 */
function interleave(contenders, rounds) {
  /** @type {Record<string, number[]>} */
  const samples = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) samples[name].push(run());
  }
  return samples;
}

/** A markdown table from a header row and body rows. */
function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Replaces the README section between `<!-- name:begin -->` and `<!-- name:end -->` (appending it if absent). */
function updateReadmeSection(name, body) {
  const file = path.join(__dirname, '..', 'README.md');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${body.trim()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, next);
  fs.renameSync(tmp, file);
}

/** Writes a JSON result file under bench/results/ atomically; returns its path. */
function writeResult(name, data) {
  const dir = path.join(__dirname, '..', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

module.exports = { median, min, timeCalls, interleave, markdownTable, updateReadmeSection, writeResult };
