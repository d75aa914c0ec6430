// @ts-check
'use strict';
/**
 * Running a contender process that prints one JSON epoch line per epoch
 * (protocol: bench/peers/README.md), for bench/dense-res.js and
 * bench/fashion-mlp.js.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/**
 * @typedef {{ epoch: number, seconds: number, batches: number, loss: number, maxRssMB: number, threads?: string }} EpochLine
 * @typedef {{ ok: true, epochs: EpochLine[] } | { ok: false, error: string }} RunResult
 */

/** The line of a failed run's stderr that says what went wrong. @param {string} stderr */
function failureLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^[\w.]*(Error|Exception)\b|\bfailed\b|did not fall|not found/.test(l)) ?? lines[lines.length - 1] ?? 'no output on stderr';
}

/**
 * Runs `cmd script ...args` in `root` and reads exactly `epochs` epoch lines from its stdout.
 * @param {string} cmd @param {string} script relative to root @param {string[]} args @param {number} epochs
 * @param {{ root: string, timeoutMs: number }} options
 * @returns {RunResult}
 */
function runEpochs(cmd, script, args, epochs, { root, timeoutMs }) {
  if (!fs.existsSync(path.join(root, script))) return { ok: false, error: `${script} not found` };
  const r = spawnSync(cmd, [script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs });
  if (r.error) return { ok: false, error: /** @type {any} */ (r.error).code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 60000} min` : r.error.message };
  if (r.status !== 0) return { ok: false, error: failureLine(r.stderr || `exit status ${r.status ?? r.signal}`) };
  /** @type {EpochLine[]} */
  const lines = [];
  for (const raw of r.stdout.split('\n').filter((l) => l.trim())) {
    let o;
    try {
      o = JSON.parse(raw);
    } catch {
      return { ok: false, error: `non-JSON line on stdout: ${raw.slice(0, 120)}` };
    }
    if (!['epoch', 'seconds', 'batches', 'loss', 'maxRssMB'].every((k) => typeof o[k] === 'number')) {
      return { ok: false, error: `malformed epoch line: ${raw.slice(0, 120)}` };
    }
    lines.push(o);
  }
  if (lines.length !== epochs) return { ok: false, error: `expected ${epochs} epoch lines, got ${lines.length}; ${failureLine(r.stderr || '')}` };
  return { ok: true, epochs: lines };
}

module.exports = { failureLine, runEpochs };
