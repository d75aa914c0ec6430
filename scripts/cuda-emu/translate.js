#!/usr/bin/env node
// Rewrites the kernel launches of a CUDA source for the host-only emulator
// (native/cuda/emu/): every `kernel<targs><<<config>>>(args)` becomes
// `::gnemu::launch("kernel<targs>", ::gnemu::LaunchConfig(config), &kernel<targs>, args)`.
// Nothing else changes, and the line count stays the same (a #line directive
// at the top points compiler messages at the original file).
//
//   node scripts/cuda-emu/translate.js IN OUT [NAME]
//
// NAME (default IN) is the file name the #line directive gives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Index of the bracket matching the one at `open` (scanning in `step` direction), or -1. */
function matching(text, open, step, openCh, closeCh) {
  let depth = 0;
  for (let i = open; i >= 0 && i < text.length; i += step) {
    const ch = text[i];
    if (ch === openCh) depth += 1;
    else if (ch === closeCh) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Whether position `at` is inside a // comment on its line. */
function inLineComment(text, at) {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return text.slice(lineStart, at).includes('//');
}

function translate(source, file) {
  let out = '';
  let from = 0;
  for (;;) {
    const at = source.indexOf('<<<', from);
    if (at < 0) break;
    if (inLineComment(source, at)) {
      out += source.slice(from, at + 3);
      from = at + 3;
      continue;
    }
    // The kernel: an identifier (maybe qualified), maybe with template arguments.
    let start = at;
    while (start > 0 && /\s/.test(source[start - 1])) start -= 1;
    if (source[start - 1] === '>') {
      const lt = matching(source, start - 1, -1, '>', '<');
      if (lt < 0) throw new Error(`${file}: unbalanced template arguments before the launch at offset ${at}`);
      start = lt;
    }
    while (start > 0 && /[A-Za-z0-9_:]/.test(source[start - 1])) start -= 1;
    const kernel = source.slice(start, at).trim();
    if (!/^[A-Za-z_]/.test(kernel)) throw new Error(`${file}: no kernel name before the launch at offset ${at}`);
    const configEnd = source.indexOf('>>>', at + 3);
    if (configEnd < 0) throw new Error(`${file}: <<< without >>> at offset ${at}`);
    const config = source.slice(at + 3, configEnd);
    let open = configEnd + 3;
    while (/\s/.test(source[open])) open += 1;
    if (source[open] !== '(') throw new Error(`${file}: no argument list after the launch of ${kernel}`);
    const close = matching(source, open, 1, '(', ')');
    if (close < 0) throw new Error(`${file}: unbalanced arguments of the launch of ${kernel}`);
    const args = source.slice(open + 1, close);
    const name = JSON.stringify(kernel.replace(/\s+/g, ' '));
    out += source.slice(from, start);
    out += `::gnemu::launch(${name}, ::gnemu::LaunchConfig(${config}), &${kernel}${args.trim() ? `, ${args}` : args})`;
    from = close + 1;
  }
  return out + source.slice(from);
}

function main(argv) {
  if (argv.length < 2 || argv.length > 3) {
    console.error('usage: translate.js IN OUT [NAME]');
    return 2;
  }
  const [input, output, name = input] = argv;
  const source = fs.readFileSync(input, 'utf8');
  const text = `#line 1 ${JSON.stringify(name)}\n${translate(source, name)}`;
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const tmp = `${output}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, output);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { translate };
