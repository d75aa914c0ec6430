"""What the Python dense-res peers share: the protocol's flags, OpenBLAS thread control, the epoch line."""
import argparse
import ctypes
import ctypes.util
import json
import resource

D, CLASSES, EPS = 784, 10, 1e-5


def protocol_parser(description):
    """The flags every contender takes (bench/peers/README.md), plus --blas-threads."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--hidden', type=int, default=256)
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--train-size', type=int, default=60000)
    p.add_argument('--max-batches', type=int, default=0, help='stop each epoch after B batches (0 = full epoch)')
    p.add_argument('--no-layernorm', action='store_true')
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--blas-threads', type=int, default=0,
                   help='OpenBLAS threads via openblas_set_num_threads (0 = leave the library default)')
    return p


def openblas(blas_threads=0):
    """The OpenBLAS that NumPy's and torch's BLAS calls land in (Debian: libblas.so.3 -> openblas-pthread),
    with its thread count set when blas_threads > 0; returns (library or None, threads or None)."""
    for name in ('libblas.so.3', 'libopenblas.so.0', ctypes.util.find_library('openblas')):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_num_threads.restype = ctypes.c_int
        except (OSError, AttributeError):
            continue
        if blas_threads > 0:
            lib.openblas_set_num_threads(blas_threads)
        return lib, lib.openblas_get_num_threads()
    return None, None


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def print_epoch(epoch, seconds, batches, loss, threads):
    """One protocol line on stdout."""
    print(json.dumps({'epoch': epoch, 'seconds': round(seconds, 4), 'batches': batches,
                      'loss': round(loss, 6), 'maxRssMB': round(rss_mb(), 1), 'threads': threads}), flush=True)
