"""The jacobian benchmark's PyTorch side (bench/jacobian.js): the Jacobian of
f(x) = W_F tanh(W_L ... tanh(W_1 x)) (D=2, K=30, P=10) by forward-mode dual
numbers (torch.autograd.forward_ad, D passes) and by
torch.autograd.functional.jacobian (reverse mode; vectorize=True and False).

A long-lived process, so that interleaving costs no start-up: it reads one
request per line on stdin, `<method> <L> <calls>`, runs the method `calls`
times and answers one JSON line {"seconds": per call}. `check <L>` answers
the three Jacobians' largest difference; `quit` ends it. Weights come from
torch.manual_seed(0) (the values do not matter for speed).
"""
import json
import sys

import torch
import torch.autograd.forward_ad as fwAD
from torch.autograd.functional import jacobian

D, K, P = 2, 30, 10


def weights(layers, dtype):
    torch.manual_seed(0)
    ws = [torch.randn(K, D, dtype=dtype)]
    ws += [torch.randn(K, K, dtype=dtype) / K ** 0.5 for _ in range(layers - 1)]
    ws.append(torch.randn(P, K, dtype=dtype))
    return ws


def make_f(ws):
    def f(x):
        h = x
        for w in ws[:-1]:
            h = torch.tanh(w @ h)
        return ws[-1] @ h
    return f


def forward_ad_jacobian(f, x):
    cols = []
    for j in range(D):
        with fwAD.dual_level():
            tangent = torch.zeros_like(x)
            tangent[j] = 1
            out = f(fwAD.make_dual(x, tangent))
            cols.append(fwAD.unpack_dual(out).tangent)
    return torch.stack(cols, dim=1)


def main():
    dtype = torch.float64 if '--float64' in sys.argv else torch.float32
    torch.set_num_threads(1)
    cache = {}
    x = torch.randn(D, dtype=dtype)
    methods = {
        'forward_ad': lambda f: forward_ad_jacobian(f, x),
        'reverse_vectorized': lambda f: jacobian(f, x, vectorize=True),
        'reverse': lambda f: jacobian(f, x, vectorize=False),
    }
    import time
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == 'quit':
            break
        layers = int(words[1])
        if layers not in cache:
            cache[layers] = make_f(weights(layers, dtype))
        f = cache[layers]
        if words[0] == 'check':
            js = [m(f) for m in methods.values()]
            diff = max(float((a - js[0]).abs().max()) for a in js[1:])
            print(json.dumps({'maxDifference': diff, 'shape': list(js[0].shape)}), flush=True)
            continue
        run = methods[words[0]]
        calls = int(words[2])
        run(f)
        start = time.perf_counter()
        for _ in range(calls):
            run(f)
        print(json.dumps({'seconds': (time.perf_counter() - start) / calls}), flush=True)


if __name__ == '__main__':
    main()
