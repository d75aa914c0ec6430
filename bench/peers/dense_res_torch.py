#!/usr/bin/env python3
"""dense-res peer: PyTorch (CPU, or CUDA with --device cuda), nn.Parameter tensors + autograd + torch.optim.SGD.

The model of the `dense-res` experiment (see bench/peers/README.md), float32:
  L1: Z1 = [X,1] W1,           N1 = LN(Z1),       H1 = relu(N1)
  L2: Z2 = [X,H1,1] W2,        N2 = LN(Z2 + H1),  H2 = relu(N2)
  L3: Z3 = [X,H1,H2,1] W3,     N3 = LN(Z3 + H2),  H3 = relu(N3)
  out: Z4 = [H3,1] W4, log-softmax, mean NLL.
LN is torch.nn.functional.layer_norm (PyTorch's fused kernel); log-softmax + NLL
is F.cross_entropy (fused log_softmax + nll_loss, the same numbers).

    /usr/bin/python3 bench/peers/dense_res_torch.py --epochs 2 --train-size 512
    python3 bench/peers/dense_res_torch.py --device cuda --epochs 2     (on a GPU machine)

With --device cuda the data set, the model and every step live on the GPU; the
per-step loss.item() synchronizes, as gradnode's loop reads its loss every step.

Prints one JSON line per epoch on stdout; diagnostics go to stderr.
"""
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from peer_common import CLASSES, D, EPS, openblas, print_epoch, protocol_parser


def parse_args():
    p = protocol_parser(__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=1,
                   help='torch.set_num_threads (intra-op OpenMP threads); default 1, measured best on a 2-core host '
                        'where OpenBLAS already runs its own threads inside each GEMM')
    p.add_argument('--device', default='cpu', help="torch device: 'cpu' (default) or 'cuda'")
    return p.parse_args()


class DenseRes(torch.nn.Module):
    def __init__(self, d, h, c, layernorm, gen):
        super().__init__()
        self.layernorm = layernorm

        def he(rows, cols):  # rows = fan_in + 1 (the bias row, last)
            w = torch.randn(rows, cols, generator=gen, dtype=torch.float32) * math.sqrt(2.0 / (rows - 1))
            return torch.nn.Parameter(w)

        self.W1 = he(d + 1, h)
        self.W2 = he(d + h + 1, h)
        self.W3 = he(d + 2 * h + 1, h)
        self.W4 = he(h + 1, c)
        if layernorm:
            self.g = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(h)) for _ in range(3)])
            self.b = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(h)) for _ in range(3)])
        self.h = h

    def norm(self, i, u):
        return F.layer_norm(u, (self.h,), self.g[i], self.b[i], EPS) if self.layernorm else u

    def forward(self, x, ones):
        h1 = torch.relu(self.norm(0, torch.cat([x, ones], 1) @ self.W1))
        h2 = torch.relu(self.norm(1, torch.cat([x, h1, ones], 1) @ self.W2 + h1))
        h3 = torch.relu(self.norm(2, torch.cat([x, h1, h2, ones], 1) @ self.W3 + h2))
        return torch.cat([h3, ones], 1) @ self.W4


def train_steps(model, opt, x, y, steps):
    ones = torch.ones(x.shape[0], 1, device=x.device)
    losses = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x, ones), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def sanity(args):
    """Loss must fall over 20 full-batch steps on 4 fixed samples with h = 8."""
    gen = torch.Generator().manual_seed(1234)
    x = torch.rand(4, D, generator=gen)
    y = torch.tensor([0, 3, 7, 9])
    model = DenseRes(D, 8, CLASSES, not args.no_layernorm, gen)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = train_steps(model, opt, x, y, 20)
    ok = all(math.isfinite(v) for v in losses) and losses[-1] < 0.9 * losses[0]
    print(f'dense_res_torch: sanity check (4 samples, h=8, 20 steps): loss {losses[0]:.4f} -> {losses[-1]:.4f}',
          file=sys.stderr)
    if not ok:
        print('dense_res_torch: sanity check failed: the loss did not decrease', file=sys.stderr)
        sys.exit(1)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    _, blas_threads = openblas(args.blas_threads)
    threads = (f'torch intra-op {torch.get_num_threads()} (set_num_threads), '
               f'OpenBLAS {blas_threads if blas_threads is not None else "?"} threads')
    dev = torch.device(args.device)
    if dev.type == 'cuda':
        if not torch.cuda.is_available():
            print(f'dense_res_torch: --device cuda, but torch {torch.__version__} sees no CUDA device', file=sys.stderr)
            sys.exit(2)
        threads = f'{torch.cuda.get_device_name(dev)} (torch {torch.__version__})'
    print(f'dense_res_torch: torch {torch.__version__}, {threads}', file=sys.stderr)

    torch.manual_seed(args.seed)
    sanity(args)

    rng = np.random.default_rng(args.seed)
    X = torch.from_numpy(rng.random((args.train_size, D), dtype=np.float32)).to(dev)
    Y = torch.from_numpy(rng.integers(0, CLASSES, args.train_size).astype(np.int64)).to(dev)
    gen = torch.Generator().manual_seed(args.seed)
    model = DenseRes(D, args.hidden, CLASSES, not args.no_layernorm, gen).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    B = args.batch_size
    n_batches = math.ceil(args.train_size / B)
    if args.max_batches > 0:
        n_batches = min(n_batches, args.max_batches)
    ones_full = torch.ones(B, 1, device=dev)

    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = torch.from_numpy(rng.permutation(args.train_size)).to(dev)
        total, seen = 0.0, 0
        for i in range(n_batches):
            idx = perm[i * B:(i + 1) * B]
            x, y = X.index_select(0, idx), Y.index_select(0, idx)
            ones = ones_full if x.shape[0] == B else torch.ones(x.shape[0], 1, device=dev)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x, ones), y)
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
            seen += x.shape[0]
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        print_epoch(epoch, seconds, n_batches, total / seen, threads)


if __name__ == '__main__':
    main()
