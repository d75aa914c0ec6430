import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import { csvField, toCsvText, writeCsv, writeFileAtomic, writeJson } from '../../src/report/files';
import { tempDir } from './tmpdir';

test('writeFileAtomic creates, replaces and leaves no temporary files', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'nested', 'a.txt');
  writeFileAtomic(file, 'first version, rather long');
  t.is(fs.readFileSync(file, 'utf8'), 'first version, rather long');
  writeFileAtomic(file, 'second');
  t.is(fs.readFileSync(file, 'utf8'), 'second');
  writeFileAtomic(file, new Uint8Array([1, 2, 3]));
  t.deepEqual([...fs.readFileSync(file)], [1, 2, 3]);
  t.deepEqual(fs.readdirSync(path.join(dir, 'nested')), ['a.txt']);
});

test('writeFileAtomic removes its temporary file when the rename fails', (t) => {
  const dir = tempDir(t);
  const target = path.join(dir, 'taken');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep'), 'x');
  t.throws(() => writeFileAtomic(target, 'data'));
  t.deepEqual(fs.readdirSync(dir), ['taken']);
  t.is(fs.readFileSync(path.join(target, 'keep'), 'utf8'), 'x');
});

test('writeJson is pretty, keeps non-finite numbers as strings and typed arrays as arrays', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'm.json');
  writeJson(file, { a: 1, loss: NaN, big: -Infinity, w: new Float64Array([0.5, 0.25]), nested: { ok: true } });
  const text = fs.readFileSync(file, 'utf8');
  t.true(text.startsWith('{\n  "a": 1,'));
  t.true(text.endsWith('}\n'));
  t.deepEqual(JSON.parse(text), { a: 1, loss: 'NaN', big: '-Infinity', w: [0.5, 0.25], nested: { ok: true } });
  t.deepEqual(fs.readdirSync(dir), ['m.json']);
});

test('CSV quotes fields with comma, quote or newline and prints numbers with full precision', (t) => {
  t.is(csvField('plain'), 'plain');
  t.is(csvField('a,b'), '"a,b"');
  t.is(csvField('say "hi"'), '"say ""hi"""');
  t.is(csvField('two\nlines'), '"two\nlines"');
  t.is(csvField(0.1 + 0.2), '0.30000000000000004');
  t.is(csvField(1e-7), '1e-7');
  t.is(csvField(NaN), 'NaN');
  const dir = tempDir(t);
  const file = path.join(dir, 'x.csv');
  writeCsv(file, ['name', 'value'], [['a,b', 1 / 3], ['c', 2]]);
  t.is(fs.readFileSync(file, 'utf8'), 'name,value\n"a,b",0.3333333333333333\nc,2\n');
  t.throws(() => toCsvText(['a', 'b'], [[1]]), { instanceOf: RangeError, message: /row 0 has 1 fields, expected 2/ });
});
