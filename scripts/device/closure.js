#!/usr/bin/env node
// The node_modules folders (relative to the current directory) that the named
// packages need at run time: their dependencies, optional and peer
// dependencies, resolved as Node resolves them, recursively.
//   node scripts/device/closure.js vega ava ...
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = process.cwd();
const seen = new Set();
const find = (name, from) => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const cand = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(cand, 'package.json'))) return cand;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
};
const visit = (dir) => {
  if (seen.has(dir)) return;
  seen.add(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) {
    const found = find(name, dir);
    if (found) visit(found);
  }
};
for (const name of process.argv.slice(2)) {
  const found = find(name, root);
  if (!found) { console.error(`closure: ${name} is not installed`); process.exit(1); }
  visit(found);
}
console.log([...seen].map((d) => path.relative(root, d)).sort().join('\n'));
