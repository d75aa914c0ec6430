#!/usr/bin/env python3
"""mlp peer: PyTorch on the CPU, one full-batch gradient-descent epoch of an MLP (nn.Linear + ReLU, cross-entropy).

The `mlp` experiment's model: shape 784,300,100,10 by default, weights and biases uniform in
±1/sqrt(n_in) (PyTorch's nn.Linear default), one SGD update per epoch over all rows.

    /usr/bin/python3 bench/peers/mlp_torch.py --epochs 3 --train-size 60000 --shape 784,300,100,10

Prints one JSON line per epoch on stdout (seconds = forward + backward + update of that epoch).
"""
import argparse
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_common import openblas, print_epoch


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--train-size', type=int, default=60000)
    p.add_argument('--shape', default='784,300,100,10')
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (1 is best beside OpenBLAS on 2 cores)')
    p.add_argument('--blas-threads', type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    _, blas_threads = openblas(args.blas_threads)
    threads = f'torch intra-op {torch.get_num_threads()}, OpenBLAS {blas_threads if blas_threads is not None else "?"} threads'
    print(f'mlp_torch: torch {torch.__version__}, {threads}', file=sys.stderr)
    torch.manual_seed(args.seed)
    sizes = [int(s) for s in args.shape.split(',')]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    rng = np.random.default_rng(args.seed)
    X = torch.from_numpy(rng.random((args.train_size, sizes[0]), dtype=np.float32))
    Y = torch.from_numpy(rng.integers(0, sizes[-1], args.train_size).astype(np.int64))
    first = None
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X), Y)
        loss.backward()
        opt.step()
        value = loss.item()
        seconds = time.perf_counter() - start
        first = value if first is None else first
        print_epoch(epoch, seconds, 1, value, threads)
    if not (value < first or args.epochs == 1):
        print('mlp_torch: the loss did not fall', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
