#!/usr/bin/env python3
"""dense-res peer: NumPy with a hand-written backward (the course seed's own method), float32 throughout.

The model of the `dense-res` experiment (see bench/peers/README.md):
  L1: Z1 = [X,1] W1,           N1 = LN(Z1),       H1 = relu(N1)
  L2: Z2 = [X,H1,1] W2,        N2 = LN(Z2 + H1),  H2 = relu(N2)
  L3: Z3 = [X,H1,H2,1] W3,     N3 = LN(Z3 + H2),  H3 = relu(N3)
  out: Z4 = [H3,1] W4, log-softmax, mean NLL; plain SGD.
LayerNorm backward, batched, per sample (g = gamma * dL/dN, zhat the normalised input):
  dU = (g - mean(g) - zhat * mean(g * zhat)) / sigma,  dgamma = sum_batch(dL/dN * zhat),  dbeta = sum_batch(dL/dN).
(The seed's hint writes (gamma/sigma)(dN - mean(dN) - zhat mean(dN zhat)); that equals the line above
only while gamma is constant across features, so the exact form is used. It costs the same.)
No gradient is formed for the input X (only the H1/H2 columns of the concatenations are back-propagated).

    /usr/bin/python3 bench/peers/dense_res_numpy.py --epochs 2 --train-size 512

Prints one JSON line per epoch on stdout; diagnostics go to stderr.
"""
import math
import sys
import time

import numpy as np

from peer_common import CLASSES, D, openblas, print_epoch, protocol_parser

EPS = np.float32(1e-5)
F32 = np.float32


def append_ones(*blocks):
    """[b1 || b2 || ... || 1] as one new float32 array."""
    n = blocks[0].shape[0]
    return np.concatenate(blocks + (np.ones((n, 1), F32),), axis=1)


class NumpyDenseResMLP:
    def __init__(self, d, h, c, layernorm, rng):
        def he(rows, cols):  # rows = fan_in + 1 (bias row last)
            return (rng.standard_normal((rows, cols), dtype=F32) * F32(math.sqrt(2.0 / (rows - 1)))).astype(F32)

        self.d, self.h, self.layernorm = d, h, layernorm
        self.W = [he(d + 1, h), he(d + h + 1, h), he(d + 2 * h + 1, h), he(h + 1, c)]
        self.gamma = [np.ones(h, F32) for _ in range(3)]
        self.beta = [np.zeros(h, F32) for _ in range(3)]

    def _ln(self, i, u):
        """Returns (N, cache) for LN of u over the hidden axis (or u itself without LN)."""
        if not self.layernorm:
            return u, None
        mu = u.mean(axis=1, keepdims=True)
        xc = u - mu
        sigma = np.sqrt((xc * xc).mean(axis=1, keepdims=True) + EPS)
        zhat = xc / sigma
        return zhat * self.gamma[i] + self.beta[i], (zhat, sigma)

    def _ln_backward(self, i, dn, cache, lr):
        """dL/dU from dL/dN; updates gamma/beta of LN i in place."""
        if not self.layernorm:
            return dn
        zhat, sigma = cache
        g = dn * self.gamma[i]
        du = (g - g.mean(axis=1, keepdims=True) - zhat * (g * zhat).mean(axis=1, keepdims=True)) / sigma
        self.gamma[i] -= lr * (dn * zhat).sum(axis=0)
        self.beta[i] -= lr * dn.sum(axis=0)
        return du

    def forward(self, X):
        W = self.W
        Xb = append_ones(X)
        N1, c1 = self._ln(0, Xb @ W[0])
        H1 = np.maximum(N1, 0)
        C1b = append_ones(X, H1)
        N2, c2 = self._ln(1, C1b @ W[1] + H1)
        H2 = np.maximum(N2, 0)
        C2b = append_ones(X, H1, H2)
        N3, c3 = self._ln(2, C2b @ W[2] + H2)
        H3 = np.maximum(N3, 0)
        H3b = append_ones(H3)
        Z4 = H3b @ W[3]
        m = Z4.max(axis=1, keepdims=True)
        logp = Z4 - (m + np.log(np.exp(Z4 - m).sum(axis=1, keepdims=True)))
        self.cache = (Xb, N1, c1, C1b, N2, c2, C2b, N3, c3, H3b)
        return logp

    def backward(self, logp, y, lr):
        """Back-propagates mean NLL and applies the SGD update; returns the loss."""
        Xb, N1, c1, C1b, N2, c2, C2b, N3, c3, H3b = self.cache
        W, d, h = self.W, self.d, self.h
        B = logp.shape[0]
        rows = np.arange(B)
        loss = -float(logp[rows, y].mean())
        dZ4 = np.exp(logp)
        dZ4[rows, y] -= 1
        dZ4 /= F32(B)
        lr = F32(lr)
        dH3 = dZ4 @ W[3][:h].T                   # gradient to H3 (bias row has none)
        dW4 = H3b.T @ dZ4
        dU3 = self._ln_backward(2, dH3 * (N3 > 0), c3, lr)   # U3 = Z3 + H2
        dW3 = C2b.T @ dU3
        dH12 = dU3 @ W[2][d:d + 2 * h].T         # to the H1 and H2 columns of C2
        dH2 = dU3 + dH12[:, h:]
        dU2 = self._ln_backward(1, dH2 * (N2 > 0), c2, lr)   # U2 = Z2 + H1
        dW2 = C1b.T @ dU2
        dH1 = dU2 + dH12[:, :h] + dU2 @ W[1][d:d + h].T
        dU1 = self._ln_backward(0, dH1 * (N1 > 0), c1, lr)
        dW1 = Xb.T @ dU1
        for w, dw in zip(W, (dW1, dW2, dW3, dW4)):
            w -= lr * dw
        return loss

    def step(self, X, y, lr):
        return self.backward(self.forward(X), y, lr)


def sanity(args):
    """Loss must fall over 20 full-batch steps on 4 fixed samples with h = 8."""
    rng = np.random.default_rng(1234)
    X = rng.random((4, D), dtype=F32)
    y = np.array([0, 3, 7, 9])
    model = NumpyDenseResMLP(D, 8, CLASSES, not args.no_layernorm, rng)
    losses = [model.step(X, y, 0.05) for _ in range(20)]
    ok = all(math.isfinite(v) for v in losses) and losses[-1] < 0.9 * losses[0]
    ok = ok and all(w.dtype == F32 for w in model.W + model.gamma + model.beta)
    print(f'dense_res_numpy: sanity check (4 samples, h=8, 20 steps): loss {losses[0]:.4f} -> {losses[-1]:.4f}',
          file=sys.stderr)
    if not ok:
        print('dense_res_numpy: sanity check failed: the loss did not decrease (or a parameter left float32)',
              file=sys.stderr)
        sys.exit(1)


def main():
    args = protocol_parser(__doc__.split('\n')[0]).parse_args()
    _, blas_threads = openblas(args.blas_threads)
    threads = f'OpenBLAS {blas_threads if blas_threads is not None else "?"} threads'
    print(f'dense_res_numpy: numpy {np.__version__}, {threads}', file=sys.stderr)
    sanity(args)

    rng = np.random.default_rng(args.seed)
    X = rng.random((args.train_size, D), dtype=F32)
    Y = rng.integers(0, CLASSES, args.train_size)
    model = NumpyDenseResMLP(D, args.hidden, CLASSES, not args.no_layernorm, rng)
    B = args.batch_size
    n_batches = math.ceil(args.train_size / B)
    if args.max_batches > 0:
        n_batches = min(n_batches, args.max_batches)

    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = rng.permutation(args.train_size)
        total, seen = 0.0, 0
        for i in range(n_batches):
            idx = perm[i * B:(i + 1) * B]
            x, y = X[idx], Y[idx]
            total += model.step(x, y, args.lr) * x.shape[0]
            seen += x.shape[0]
        seconds = time.perf_counter() - start
        print_epoch(epoch, seconds, n_batches, total / seen, threads)


if __name__ == '__main__':
    main()
