#!/usr/bin/env node
'use strict';
// `npm run bench -- <name> [flags]` runs bench/<name>.js with the flags.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const names = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== 'run.js').map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`${name ? `error: unknown benchmark "${name}"` : 'usage: npm run bench -- <name> [flags]'}; expected one of: ${names.join(', ')}`);
  process.exit(2);
}
const run = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`), ...rest], { stdio: 'inherit' });
process.exit(run.status ?? 1);
