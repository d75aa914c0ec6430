#!/usr/bin/env python3
"""fashion-mlp peer: PyTorch on the CPU, the `fashion-mlp` experiment's network and optimizer on Fashion-MNIST.

nn.Sequential(Linear(784, 256), ReLU, Linear(256, 128), ReLU, Linear(128, 10)) (--hidden), PyTorch's default
initialisation, F.cross_entropy, torch.optim.Adam(lr=1e-3), minibatches of 128 from a fresh torch.randperm every
epoch, gathered by indexing (X[idx]), loss.item() every step as a training loop that logs its loss does.

    /usr/bin/python3 bench/peers/fashion_mlp_torch.py --epochs 3 [--train-size 60000] [--threads 1]

Data: the first --train-size Fashion-MNIST training images (Debian's /usr/share/datasets/fashion-mnist, or --data DIR),
pixels / 255 as float32, read before timing starts. Prints one JSON line per epoch on stdout (bench/peers/README.md);
exits 1 when the loss does not fall.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_common import openblas, print_epoch

FASHION_DIR = '/usr/share/datasets/fashion-mnist'


def read_idx(folder, base):
    for name in (base, base + '.gz'):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            opener = gzip.open if name.endswith('.gz') else open
            with opener(path, 'rb') as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
            return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)
    sys.exit(f'fashion_mlp_torch: {base}[.gz] not found in {folder} (apt-get install dataset-fashion-mnist, or pass --data DIR)')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--hidden', default='256,128')
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--train-size', type=int, default=60000)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--data', default=FASHION_DIR)
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (1: best beside OpenBLAS\'s own threads on 2 cores)')
    p.add_argument('--blas-threads', type=int, default=0, help='OpenBLAS threads (0 = the library default)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    _, blas_threads = openblas(args.blas_threads)
    threads = f'torch intra-op {torch.get_num_threads()} (set_num_threads), OpenBLAS {blas_threads if blas_threads is not None else "?"} threads'
    print(f'fashion_mlp_torch: torch {torch.__version__}, {threads}', file=sys.stderr)

    images = read_idx(args.data, 'train-images-idx3-ubyte')[:args.train_size]
    labels = read_idx(args.data, 'train-labels-idx1-ubyte')[:args.train_size]
    X = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
    Y = torch.from_numpy(labels.astype(np.int64))
    n = len(Y)

    torch.manual_seed(args.seed)
    sizes = [X.shape[1], *[int(h) for h in args.hidden.split(',')], 10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    losses = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        batches = 0
        for i in range(0, n, args.batch_size):
            idx = perm[i:i + args.batch_size]
            x, y = X[idx], Y[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            batches += 1
        seconds = time.perf_counter() - start
        losses.append(total / n)
        print_epoch(epoch, seconds, batches, losses[-1], threads)
    if not (losses[-1] < 1.5 and (len(losses) == 1 or losses[-1] < losses[0])):
        print(f'fashion_mlp_torch: the loss did not fall ({losses})', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
