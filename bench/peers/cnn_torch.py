#!/usr/bin/env python3
"""cnn peer: PyTorch on the CPU, the `cnn` experiment's network (conv 1→32 3×3 pad 1, ReLU, maxpool 2,
conv 32→64 3×3 pad 1, ReLU, maxpool 2, flatten, FC 3136→128, ReLU, FC 128→10), cross-entropy, Adam lr 1e-3,
on random 1×28×28 inputs in [0, 1) and random labels.

    /usr/bin/python3 bench/peers/cnn_torch.py --batches 60 --warmup 5 [--batch-size 128] [--threads 0]

Prints one JSON line: seconds per training step (forward + backward + Adam) over the timed batches.
"""
import argparse
import json
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batches', type=int, default=60)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0 = PyTorch\'s default)')
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 7 * 7, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = (args.batches + args.warmup) * args.batch_size
    x = torch.rand(n, 1, 28, 28)
    y = torch.randint(0, 10, (n,))
    start = None
    for b in range(args.batches + args.warmup):
        if b == args.warmup:
            start = time.perf_counter()
        xb, yb = x[b * args.batch_size:(b + 1) * args.batch_size], y[b * args.batch_size:(b + 1) * args.batch_size]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    seconds = (time.perf_counter() - start) / args.batches
    print(json.dumps({'secondsPerBatch': seconds, 'threads': f'torch intra-op {torch.get_num_threads()} threads', 'loss': float(loss)}), flush=True)


if __name__ == '__main__':
    main()
