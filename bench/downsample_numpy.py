"""Anchor of bench/downsample.js: webknossos-libs' downsampling kernels in numpy.

The factor-block reshape and np.median(...).astype(dtype), np.max, np.min are those of
webknossos-libs (_downsampling_utils.py). Its current `mode` kernel needs numba, which is
not installed here; this uses the numpy sort-based mode of its earlier versions (ties go
to the smallest value, the rule this package implements), which is slower than numba's.

usage: python3 downsample_numpy.py <in.raw> <dtype> <x> <y> <z> <fx> <fy> <fz> <mode> <repeats> <out.raw>
prints {"ms": [...]} (kernel time only, input already in memory)
"""
import json
import sys
import time

import numpy as np


def blocks(data, f):
    """(x, y, z) Fortran array -> (fx*fy*fz, voxels) with one factor block per column."""
    sx, sy, sz = data.shape
    fx, fy, fz = f
    v = data.reshape((fx, sx // fx, fy, sy // fy, fz, sz // fz), order="F")
    v = v.transpose(0, 2, 4, 1, 3, 5)
    return v.reshape((fx * fy * fz, (sx // fx) * (sy // fy) * (sz // fz)), order="F")


def mode_sorted(x):
    s = np.sort(x, axis=0)
    n = s.shape[0]
    # run lengths along axis 0: for each position, the length of the run it starts
    change = np.ones((n + 1, s.shape[1]), dtype=bool)
    change[1:n] = s[1:] != s[:-1]
    best = np.zeros(s.shape[1], dtype=np.int64)
    best_len = np.zeros(s.shape[1], dtype=np.int64)
    run_start = np.zeros(s.shape[1], dtype=np.int64)
    for i in range(1, n + 1):
        ends = change[i]
        length = i - run_start
        better = ends & (length > best_len)
        best = np.where(better, run_start, best)
        best_len = np.where(better, length, best_len)
        run_start = np.where(ends, i, run_start)
    return np.take_along_axis(s, best[None, :], axis=0)[0]


KERNELS = {
    "median": lambda x: np.median(x, axis=0).astype(x.dtype),
    "mode": mode_sorted,
    "max": lambda x: np.max(x, axis=0),
    "min": lambda x: np.min(x, axis=0),
}


def main():
    src, dtype, x, y, z, fx, fy, fz, mode, repeats, out = sys.argv[1:]
    shape = (int(x), int(y), int(z))
    f = (int(fx), int(fy), int(fz))
    data = np.fromfile(src, dtype=dtype).reshape(shape, order="F")
    times = []
    result = None
    for _ in range(int(repeats)):
        t0 = time.perf_counter()
        result = KERNELS[mode](blocks(data, f))
        times.append((time.perf_counter() - t0) * 1000)
    result.reshape(tuple(s // k for s, k in zip(shape, f)), order="F").ravel(order="F").tofile(out)
    print(json.dumps({"ms": times}))


if __name__ == "__main__":
    main()
