import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../src/cli/flags';
import { createRunDir, runTimestamp } from '../../src/report/rundir';
import { tempDir } from './tmpdir';

const WHEN = new Date(2024, 0, 2, 3, 4, 5); // local time, as the folder name is

test('default run folder is runs/<experiment>/<YYYYMMDD-HHMMSS>, absolute', (t) => {
  const cwd = tempDir(t);
  t.is(runTimestamp(WHEN), '20240102-030405');
  const dir = createRunDir('dense-res', undefined, WHEN, cwd);
  t.true(path.isAbsolute(dir));
  t.is(dir, path.join(cwd, 'runs', 'dense-res', '20240102-030405'));
  t.true(fs.statSync(dir).isDirectory());
});

test('a taken default name gets -2, -3 and is never reused', (t) => {
  const cwd = tempDir(t);
  const first = createRunDir('mlp', undefined, WHEN, cwd);
  fs.writeFileSync(path.join(first, 'metrics.json'), '{}');
  const second = createRunDir('mlp', undefined, WHEN, cwd);
  const third = createRunDir('mlp', undefined, WHEN, cwd);
  t.is(path.basename(second), '20240102-030405-2');
  t.is(path.basename(third), '20240102-030405-3');
  t.is(fs.readFileSync(path.join(first, 'metrics.json'), 'utf8'), '{}');
  t.throws(() => createRunDir('../escape', undefined, WHEN, cwd), { instanceOf: RangeError });
});

test('--out: a non-empty folder is refused with a one-line UsageError', (t) => {
  const cwd = tempDir(t);
  fs.mkdirSync(path.join(cwd, 'runs', 'x'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'runs', 'x', 'old.json'), 'keep');
  const err = t.throws(() => createRunDir('mlp', 'runs/x', WHEN, cwd), { instanceOf: UsageError });
  t.is(err!.message, '--out runs/x already exists and is not empty; choose another folder or remove it');
  t.is(fs.readFileSync(path.join(cwd, 'runs', 'x', 'old.json'), 'utf8'), 'keep');
  fs.writeFileSync(path.join(cwd, 'file'), '');
  const notFolder = t.throws(() => createRunDir('mlp', 'file', WHEN, cwd), { instanceOf: UsageError });
  t.false(notFolder!.message.includes('\n'));
  t.throws(() => createRunDir('mlp', 'file/sub', WHEN, cwd), { instanceOf: UsageError, message: /--out file\/sub cannot be created/ });
});

test('--out: an empty existing folder is accepted, an absent one created', (t) => {
  const cwd = tempDir(t);
  fs.mkdirSync(path.join(cwd, 'empty'));
  t.is(createRunDir('mlp', 'empty', WHEN, cwd), path.join(cwd, 'empty'));
  const nested = createRunDir('mlp', 'a/b/c', WHEN, cwd);
  t.is(nested, path.join(cwd, 'a', 'b', 'c'));
  t.true(fs.statSync(nested).isDirectory());
  t.false(fs.existsSync(path.join(cwd, 'runs')));
});
