import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { temporaryName, writeFileAtomic } from '../../src/io/atomic';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-atomic-'));
test.after.always(() => fs.rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  return fs.mkdtempSync(path.join(root, 'd-'));
}

test('writes strings, bytes and chunks, replacing the old file, leaving no temporary files', (t) => {
  const dir = freshDir();
  const file = path.join(dir, 'out.txt');
  writeFileAtomic(file, 'first');
  t.is(fs.readFileSync(file, 'utf8'), 'first');
  writeFileAtomic(file, new Uint8Array([104, 105]));
  t.is(fs.readFileSync(file, 'utf8'), 'hi');
  writeFileAtomic(file, [Buffer.from('ab'), new Uint8Array(0), Buffer.from('cd')]);
  t.is(fs.readFileSync(file, 'utf8'), 'abcd');
  t.deepEqual(fs.readdirSync(dir), ['out.txt']);
});

test('the temporary file sits next to the target and carries the pid', (t) => {
  const name = temporaryName('/some/folder/model.safetensors');
  t.regex(name, new RegExp(`^/some/folder/model\\.safetensors\\.tmp-${process.pid}-[0-9a-f]{12}$`));
  t.not(temporaryName('x'), temporaryName('x'));
});

test('a failure in the middle of the write keeps the old file and removes the temporary one', (t) => {
  const dir = freshDir();
  const file = path.join(dir, 'model.bin');
  writeFileAtomic(file, 'old contents');
  let written = 0;
  function* failing(): Generator<Uint8Array> {
    yield Buffer.from('new partial data that never completes');
    written++;
    throw new Error('disk on fire');
  }
  t.throws(() => writeFileAtomic(file, failing()), { message: 'disk on fire' });
  t.is(written, 1, 'the first chunk reached the temporary file before the failure');
  t.is(fs.readFileSync(file, 'utf8'), 'old contents');
  t.deepEqual(fs.readdirSync(dir), ['model.bin']);
  // A chunk of the wrong type fails the same way.
  t.throws(() => writeFileAtomic(file, ['not bytes' as unknown as Uint8Array]), { instanceOf: TypeError });
  t.is(fs.readFileSync(file, 'utf8'), 'old contents');
  t.deepEqual(fs.readdirSync(dir), ['model.bin']);
});

test('a failing rename (target is a non-empty folder) removes the temporary file', (t) => {
  const dir = freshDir();
  const target = path.join(dir, 'taken');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep'), 'x');
  t.throws(() => writeFileAtomic(target, 'data'), { code: 'EISDIR' });
  t.deepEqual(fs.readdirSync(dir), ['taken']);
  t.deepEqual(fs.readdirSync(target), ['keep']);
});

test('a missing folder fails before anything is written', (t) => {
  const dir = freshDir();
  t.throws(() => writeFileAtomic(path.join(dir, 'no', 'such', 'file'), 'x'), { code: 'ENOENT' });
  t.deepEqual(fs.readdirSync(dir), []);
});
