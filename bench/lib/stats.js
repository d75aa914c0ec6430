// @ts-check
'use strict';
/** Small helpers shared by the benchmark scripts: timing and statistics (from the build), tables, README sections. */
const fs = require('node:fs');
const path = require('node:path');

// Timing and statistics live in the package (src/report/timing.ts), shared with the experiments' benchmarks.
const { median, min, timeCalls, interleave } = require('../../dist/report/timing');

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
