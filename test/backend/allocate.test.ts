import test from 'ava';
import { allocate, hostArraysOverlap } from '../../src/backend/backend';
import { Tensor } from '../../src/tensor';

test('allocate: small arrays share 16 KiB slabs without overlapping, zero-filled and aligned; tiny and large ones own their memory', (t) => {
  const views = [allocate('float32', 17), allocate('float64', 9), allocate('float32', 300), allocate('float64', 255), allocate('float32', 33)];
  for (const v of views) {
    t.is(v.buffer.byteLength, 16384, 'from a slab');
    t.is(v.byteOffset % 8, 0, 'aligned for float64');
    t.true(v.every((x) => x === 0), 'zero-filled');
  }
  for (let i = 0; i < views.length; i++) {
    for (let j = 0; j < views.length; j++) if (i !== j) t.false(hostArraysOverlap(views[i], views[j]), `${i} vs ${j}`);
    views[i].fill(i + 1);
  }
  views.forEach((v, i) => t.true(v.every((x) => x === i + 1), 'writes stay inside each view'));
  t.true(hostArraysOverlap(views[2], views[2].subarray(10, 20)));
  t.false(hostArraysOverlap(views[2].subarray(0, 10), views[2].subarray(10, 20)));
  // At most 64 bytes: V8's own on-heap arrays; above 2048 bytes: a buffer of its own.
  t.is(allocate('float64', 8).buffer.byteLength, 64);
  t.is(allocate('float32', 513).buffer.byteLength, 2052);
  // A slab that cannot take the next array is left behind, never overwritten.
  const many = Array.from({ length: 40 }, () => allocate('float64', 256));
  many.forEach((v, i) => v.fill(i));
  many.forEach((v, i) => t.true(v.every((x) => x === i)));
});

test('backward gives every leaf gradient storage of its own even when small tensors share a slab', (t) => {
  const a = Tensor.rand([4, 5], { dtype: 'float64', requiresGrad: true });
  const b = Tensor.rand([4, 5], { dtype: 'float64', requiresGrad: true });
  t.is(a.data.buffer, b.data.buffer, 'neighbours in one slab');
  a.add(b).sum().backward();
  t.false(hostArraysOverlap(a.grad!.data, b.grad!.data));
  a.grad!.data.fill(7);
  t.true(b.grad!.data.every((x) => x === 1), 'clipping one gradient leaves the other alone');
});
