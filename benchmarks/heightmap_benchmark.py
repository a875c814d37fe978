"""Height-map build time: anynav's numpy builder vs a straightforward torch scatter_reduce version, one core.

Both turn a 100k-point cloud (odom frame) plus the base pose into the Go2 NaVILA 17×27 map. The
torch baseline is written the way the training code does it (a quaternion per point, bucketize,
scatter_reduce amin, max_pool2d) with torch.set_num_threads(1). Each run checks that the two maps
agree before timing anything.

    python benchmarks/heightmap_benchmark.py [--repeats 300]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core for numpy's BLAS too: set before numpy loads

import argparse
import functools
import math
import platform
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from anynav.perception.heightmap import (
    GO2_HEAD_LOWER_IN_BASE_M,
    GO2_SENSOR_QUAT_WXYZ,
    Go2LidarLayout,
    H1ScanLayout,
    HeightMapBuilder,
    HeightMapConfig,
    pose_matrix,
)

N_POINTS = 100_000
BASE_XYZ = (12.0, -3.0, 0.32)
BASE_QUAT_XYZW = (0.02, -0.03, math.sin(0.35), math.cos(0.35))


def _quat_mul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    w1, x1, y1, z1 = a.unbind(-1)
    w2, x2, y2, z2 = b.unbind(-1)
    return torch.stack(
        (
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ),
        -1,
    )


def _quat_rotate_inverse(q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    w, u = q[:, :1], q[:, 1:]
    return v * (2.0 * w**2 - 1.0) - torch.cross(u, v, dim=-1) * w * 2.0 + u * (u * v).sum(-1, keepdim=True) * 2.0


def torch_go2_map(points_w: torch.Tensor, base_quat_wxyz: torch.Tensor, sensor_pos_w: torch.Tensor) -> torch.Tensor:
    """The straightforward port: one quaternion per point, bucketize, scatter_reduce amin, max_pool2d."""
    sensor_quat = torch.tensor(GO2_SENSOR_QUAT_WXYZ, dtype=torch.float32)
    sensor_quat = sensor_quat / sensor_quat.norm()  # anynav normalises it too (see heightmap.py)
    quat = _quat_mul(base_quat_wxyz[None], sensor_quat[None]).repeat(points_w.shape[0], 1)
    local = _quat_rotate_inverse(quat, points_w - sensor_pos_w)
    x, y, z = local.unbind(-1)
    x_bins = torch.arange(-0.8, 0.2 + 1e-9, 0.06)
    y_bins = torch.arange(-0.8, 0.8 + 1e-9, 0.06)
    valid = (x > -0.8) & (x <= 0.2 + 1e-9) & (y > -0.8) & (y <= 0.8 + 1e-9) & (z >= 0.0) & (z <= 5.0)
    ix = torch.bucketize(x[valid], x_bins) - 1
    iy = torch.bucketize(y[valid], y_bins) - 1
    grid = torch.full((len(x_bins) * len(y_bins),), float("inf"))
    grid = grid.scatter_reduce(0, ix * len(y_bins) + iy, z[valid], reduce="amin")
    grid = torch.where(grid < 0.05, torch.zeros(()), grid)
    grid = torch.where(torch.isinf(grid), torch.zeros(()), grid)
    return F.max_pool2d(grid.view(1, len(x_bins), len(y_bins)), 3, stride=1, padding=1).view(-1)


def scene(kind: str, base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """100k odom-frame points: all inside the Go2 map window, or an L1-like spread around the robot."""
    if kind == "in-window":
        local = rng.uniform((-0.15, -0.8, -0.35), (0.95, 0.8, 0.0), (N_POINTS, 3))
        local[:, 0] += GO2_HEAD_LOWER_IN_BASE_M[0]
    else:
        ground = rng.uniform((-4, -4, -0.32), (4, 4, -0.30), (N_POINTS * 7 // 10, 3))
        walls = rng.uniform((-4, -4, -0.32), (4, 4, 1.5), (N_POINTS - len(ground), 3))
        walls[:, 0] = np.where(rng.random(len(walls)) < 0.5, -4.0, 3.0)
        local = np.concatenate((ground, walls))
    return (local @ base[:3, :3].T + base[:3, 3]).astype(np.float32)


def timed(fn: Callable[[], object], repeats: int) -> np.ndarray:
    fn()
    samples = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        samples[i] = time.perf_counter() - start
    return samples * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    base = pose_matrix((BASE_XYZ, BASE_QUAT_XYZW))
    quat_xyzw = np.array(BASE_QUAT_XYZW) / np.linalg.norm(BASE_QUAT_XYZW)
    base_quat_wxyz = torch.tensor(np.roll(quat_xyzw, 1), dtype=torch.float32)
    sensor_pos = torch.tensor(base[:3, :3] @ GO2_HEAD_LOWER_IN_BASE_M + base[:3, 3], dtype=torch.float32)

    rows = []
    for kind in ("in-window", "L1-like"):
        points = scene(kind, base, rng)
        builder = HeightMapBuilder(Go2LidarLayout())

        def ours(points: np.ndarray = points, builder: HeightMapBuilder = builder) -> np.ndarray:
            builder.clear()
            builder.add_cloud(points, np.eye(4), 0)
            return builder.build(0, base).values

        points_t = torch.from_numpy(points)
        baseline = functools.partial(torch_go2_map, points_t, base_quat_wxyz, sensor_pos)
        differing = int(np.count_nonzero(~np.isclose(ours(), baseline().numpy(), atol=1e-5)))
        if differing:
            raise SystemExit(f"{kind}: anynav and torch maps differ in {differing} cells; not timing")
        inside = builder.build(0, base).points_in_grid
        rows.append(
            (f"go2 {kind} ({inside // 1000}k in grid)", timed(ours, args.repeats), timed(baseline, args.repeats))
        )

    window = HeightMapBuilder(Go2LidarLayout(), HeightMapConfig(window_s=0.4))
    for i, part in enumerate(np.array_split(scene("L1-like", base, rng), 4)):
        window.add_cloud(part, np.eye(4), i * 100_000_000)
    rows.append(("go2 L1-like, 4 clouds in window", timed(lambda: window.build(300_000_000, base), args.repeats), None))
    h1 = HeightMapBuilder(H1ScanLayout())
    h1.add_cloud(scene("L1-like", base, rng), np.eye(4), 0)
    rows.append(("h1 L1-like (build only)", timed(lambda: h1.build(0, base), args.repeats), None))

    print(
        f"height map, {N_POINTS // 1000}k points, {args.repeats} runs, one core "
        f"(torch threads = {torch.get_num_threads()}), {platform.processor() or platform.machine()}, "
        f"numpy {np.__version__}, torch {torch.__version__}"
    )
    print(f"{'case':38s} {'anynav p50':>11s} {'p99':>8s} {'torch p50':>10s} {'p99':>8s} {'speed-up':>9s}")
    for name, mine, theirs in rows:
        line = f"{name:38s} {np.percentile(mine, 50):9.3f}ms {np.percentile(mine, 99):6.3f}ms"
        if theirs is not None:
            ratio = np.percentile(theirs, 50) / np.percentile(mine, 50)
            line += f" {np.percentile(theirs, 50):8.3f}ms {np.percentile(theirs, 99):6.3f}ms {ratio:8.1f}×"
        print(line)
    print("targets: anynav p50 ≤ 2 ms, ≥ 3× faster than the torch baseline")


if __name__ == "__main__":
    main()
