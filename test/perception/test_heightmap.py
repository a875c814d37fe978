"""Height maps on synthetic clouds of known geometry, checked against the layouts in navila.md §3 and §4.3."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.perception.errors import CloudError, HeightMapConfigError
from anynav.perception.heightmap import (
    GO2_HEAD_LOWER_IN_BASE_M,
    Go2LidarLayout,
    H1ScanLayout,
    HeightMapBuilder,
    HeightMapConfig,
    layout_by_name,
    pose_matrix,
)

SECOND = 1_000_000_000

# The virtual LiDAR frame, built independently of the code under test: q = (−0.131, 0, −0.991, 0)
# is a rotation about +y by 2·atan2(0.991, 0.131) ≈ 165°.
_THETA = 2 * math.atan2(0.991, 0.131)
R_VIRTUAL = np.array(
    [[math.cos(_THETA), 0.0, math.sin(_THETA)], [0.0, 1.0, 0.0], [-math.sin(_THETA), 0.0, math.cos(_THETA)]]
)
ORIGIN = np.array(GO2_HEAD_LOWER_IN_BASE_M)
COS, SIN = math.cos(math.pi - _THETA), math.sin(math.pi - _THETA)  # 15° tilt of the down axis


def go2_edges() -> np.ndarray:
    """Lower edges of the 17 x cells: −0.8 + 0.06·i."""
    return -0.8 + 0.06 * np.arange(17)


def virtual_to_base(points_l: np.ndarray) -> np.ndarray:
    return points_l @ R_VIRTUAL.T + ORIGIN


def go2_flat_value(depth: float, x_l: np.ndarray) -> np.ndarray:
    """z_l of a horizontal plane `depth` below the sensor, seen at virtual x_l (base level)."""
    return (depth - SIN * x_l) / COS


def plane(
    dx: tuple[float, float], dy: tuple[float, float], z: float, step: float = 0.005, x0: float = 0.0
) -> np.ndarray:
    """A dense horizontal patch of points x0 + dx, dy, z (grid offset so no point sits on a cell edge)."""
    xs = x0 + np.arange(dx[0] + step / 3, dx[1], step)
    ys = np.arange(dy[0] + step / 3, dy[1], step)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel(), np.full(gx.size, z)], axis=1)


def build_once(layout, points: np.ndarray, base_pose=None, cloud_pose=None):
    builder = HeightMapBuilder(layout)
    builder.add_cloud(points, np.eye(4) if cloud_pose is None else cloud_pose, 0)
    return builder.build(1, np.eye(4) if base_pose is None else base_pose)


def test_virtual_frame_axes_match_the_reference() -> None:
    # navila.md §3.2: x_l = (−0.964, 0, −0.26), z_l = (+0.26, 0, −0.964) in body axes.
    np.testing.assert_allclose(R_VIRTUAL[:, 0], (-0.964, 0.0, -0.26), atol=0.005)
    np.testing.assert_allclose(R_VIRTUAL[:, 2], (0.26, 0.0, -0.964), atol=0.005)


@pytest.mark.parametrize(("ix", "iy"), [(0, 0), (16, 26), (5, 20), (16, 0), (0, 26), (8, 13)])
def test_go2_single_point_lands_in_its_cell_and_spreads_3x3(ix: int, iy: int) -> None:
    x_l = 0.18 if ix == 16 else -0.8 + 0.06 * ix + 0.03
    y_l = 0.78 if iy == 26 else -0.8 + 0.06 * iy + 0.03
    heightmap = build_once(Go2LidarLayout(), virtual_to_base(np.array([[x_l, y_l, 0.3]])))
    grid = heightmap.values.reshape(17, 27)
    expected = np.zeros((17, 27), dtype=np.float32)
    expected[max(ix - 1, 0) : ix + 2, max(iy - 1, 0) : iy + 2] = 0.3
    np.testing.assert_allclose(grid, expected, atol=1e-6)
    assert heightmap.values[ix * 27 + iy] == pytest.approx(0.3, abs=1e-6)  # row-major, ix·27 + iy
    assert heightmap.values.dtype == np.float32 and heightmap.values.shape == (459,)
    assert heightmap.points_in_grid == 1


def test_go2_cell_edges_are_every_6_cm_from_minus_0_8() -> None:
    for edge_index in (1, 5, 12, 16):
        edge = -0.8 + 0.06 * edge_index
        for offset, cell in ((-1e-4, edge_index - 1), (1e-4, edge_index)):
            heightmap = build_once(Go2LidarLayout(), virtual_to_base(np.array([[edge + offset, 0.01, 0.3]])))
            rows = np.flatnonzero(heightmap.values.reshape(17, 27)[:, 13])
            assert rows.tolist() == list(range(max(cell - 1, 0), min(cell + 2, 17)))


def test_go2_gate_near_zero_and_per_cell_minimum() -> None:
    points_l = np.array(
        [
            [0.21, 0.0, 0.3],  # beyond x = 0.2
            [-0.81, 0.0, 0.3],  # behind x = −0.8
            [0.0, 0.81, 0.3],  # beyond y = 0.8
            [0.0, 0.0, -0.01],  # above the sensor plane
            [0.0, 0.0, 5.1],  # deeper than 5 m
        ]
    )
    heightmap = build_once(Go2LidarLayout(), virtual_to_base(points_l))
    assert heightmap.points_in_grid == 0
    assert not heightmap.values.any()

    near = build_once(Go2LidarLayout(), virtual_to_base(np.array([[-0.5, 0.0, 0.03]])))
    assert near.points_in_grid == 1 and not near.values.any()  # < 0.05 → 0

    two = build_once(Go2LidarLayout(), virtual_to_base(np.array([[-0.47, 0.01, 0.3], [-0.46, 0.02, 0.2]])))
    assert two.values.max() == pytest.approx(0.2, abs=1e-6)


def test_go2_flat_ground_matches_the_plane_geometry() -> None:
    depth = 0.3  # sensor 0.3 m above the floor, base level
    floor = plane((-0.4, 1.2), (-0.95, 0.95), ORIGIN[2] - depth, x0=ORIGIN[0])
    heightmap = build_once(Go2LidarLayout(), floor)
    edges = go2_edges()
    # 3×3 max of per-cell minima: each row shows the minimum of the row behind it (larger x_l
    # is further back and higher z_l), i.e. the plane at that row's own lower edge.
    expected_rows = go2_flat_value(depth, np.maximum(edges, edges[1]))
    grid = heightmap.values.reshape(17, 27)
    np.testing.assert_allclose(grid, np.repeat(expected_rows[:, None], 27, axis=1), atol=3e-3)
    assert 0.25 < grid.min() and grid.max() < 0.55  # navila.md: flat ground reads ≈0.25–0.5


def test_go2_box_reads_higher_than_the_floor_around_it() -> None:
    depth, box_height = 0.3, 0.15
    floor = plane((-0.4, 1.2), (-0.95, 0.95), ORIGIN[2] - depth, x0=ORIGIN[0])
    ahead = floor[:, 0] - ORIGIN[0]
    under_box = (ahead >= 0.3) & (ahead <= 0.6) & (np.abs(floor[:, 1]) <= 0.2)
    top = plane((0.3, 0.6), (-0.2, 0.2), ORIGIN[2] - depth + box_height, x0=ORIGIN[0])
    heightmap = build_once(Go2LidarLayout(), np.concatenate([floor[~under_box], top]))
    grid = heightmap.values.reshape(17, 27)
    edges = go2_edges()
    box_rows, box_cols = [6, 7], list(range(11, 15))  # cells whose whole 3×3 window is box top
    expected_top = go2_flat_value(depth - box_height, edges[box_rows])
    np.testing.assert_allclose(grid[np.ix_(box_rows, box_cols)], np.repeat(expected_top[:, None], 4, axis=1), atol=3e-3)
    far_cols = list(range(8)) + list(range(19, 27))  # ≥ 2 cells away from the box sideways
    np.testing.assert_allclose(
        grid[:, far_cols], np.repeat(go2_flat_value(depth, np.maximum(edges, edges[1]))[:, None], 16, axis=1), atol=3e-3
    )
    assert (grid[np.ix_(box_rows, box_cols)] < grid[np.ix_(box_rows, [3])] - 0.1).all()


def test_go2_step_up_ahead() -> None:
    depth, rise = 0.3, 0.1
    low = plane((-0.4, 0.45), (-0.95, 0.95), ORIGIN[2] - depth, x0=ORIGIN[0])
    high = plane((0.45, 1.2), (-0.95, 0.95), ORIGIN[2] - depth + rise, x0=ORIGIN[0])
    riser = np.array(
        [[0.45, y, z] for y in np.arange(-0.95, 0.95, 0.005) for z in np.arange(-depth, -depth + rise, 0.005)]
    )
    riser += ORIGIN  # the step's face, 0.45 m ahead of the sensor
    heightmap = build_once(Go2LidarLayout(), np.concatenate([low, high, riser]))
    grid = heightmap.values.reshape(17, 27)
    edges = go2_edges()
    np.testing.assert_allclose(grid[:6, 13], go2_flat_value(depth - rise, np.maximum(edges[:6], edges[1])), atol=3e-3)
    np.testing.assert_allclose(grid[9:, 13], go2_flat_value(depth, edges[9:]), atol=3e-3)


def test_go2_frame_follows_base_yaw_and_pitch() -> None:
    points_base = virtual_to_base(np.array([[-0.47, 0.31, 0.3], [0.11, -0.61, 0.4], [-0.71, 0.71, 1.0]]))
    reference = build_once(Go2LidarLayout(), points_base).values
    for quat in ([0.0, 0.0, math.sin(0.8), math.cos(0.8)], [0.0, math.sin(0.15), 0.0, math.cos(0.15)]):
        base = pose_matrix(((3.0, -2.0, 0.5), quat))
        world = points_base @ base[:3, :3].T + base[:3, 3]
        np.testing.assert_allclose(build_once(Go2LidarLayout(), world, base_pose=base).values, reference, atol=1e-5)


def test_go2_image_is_top_down_with_left_on_the_left() -> None:
    # A point forward-left of the sensor: small ix (forward), large iy (left).
    heightmap = build_once(Go2LidarLayout(), virtual_to_base(np.array([[-0.77, 0.77, 0.3]])))
    assert heightmap.image.shape == (17, 27) and heightmap.image.dtype == np.float32
    assert heightmap.image[0, 0] == pytest.approx(0.3) and heightmap.image[16, 26] == 0.0


def test_h1_flat_ground_reads_base_height_minus_half_metre() -> None:
    base = pose_matrix(((1.0, 2.0, 1.0), (0.0, 0.0, 0.0, 1.0)))
    floor = plane((0.0, 2.0), (1.4, 2.6), 0.0, step=0.02)
    heightmap = build_once(H1ScanLayout(), floor, base_pose=base)
    np.testing.assert_allclose(heightmap.values, np.full(187, 0.5, dtype=np.float32), atol=1e-6)
    assert heightmap.points_in_grid > 0


def test_h1_step_and_x_fastest_order() -> None:
    low = plane((-1.0, 0.25), (-0.7, 0.7), -1.0, step=0.01)
    high = plane((0.25, 1.0), (-0.7, 0.7), -0.8, step=0.01)
    heightmap = build_once(H1ScanLayout(), np.concatenate([low, high]))
    grid = heightmap.values.reshape(11, 17)  # [iy, ix]: x varies fastest
    np.testing.assert_allclose(grid[:, :11], 0.5, atol=1e-6)  # ray x = −0.8 … 0.2
    np.testing.assert_allclose(grid[:, 11:], 0.3, atol=1e-6)  # ray x = 0.3 … 0.8


def test_h1_cell_index_clip_ray_start_and_empty_value() -> None:
    layout = H1ScanLayout(empty_value=0.25)
    points = np.array(
        [
            [0.8, -0.5, -0.2],  # ix 16, iy 0 → index 16, value 0.2 − 0.5
            [-0.8, 0.5, 0.45],  # ix 0, iy 10 → index 170, value −0.95 (not clipped)
            [0.0, 0.0, -2.0],  # ix 8, iy 5 → 1.5 clipped to 1
            [0.1, 0.0, 0.6],  # above the ray start (base + 0.5): not seen
        ]
    )
    heightmap = build_once(layout, points)
    values = heightmap.values
    assert values[16] == pytest.approx(-0.3)
    assert values[170] == pytest.approx(-0.95)
    assert values[5 * 17 + 8] == pytest.approx(1.0)
    assert values[5 * 17 + 9] == pytest.approx(0.25)  # the ray at x = 0.1 saw nothing
    assert np.count_nonzero(values != np.float32(0.25)) == 3
    assert heightmap.points_in_grid == 3
    # Top-down image: row 0 is the most forward ray (x = 0.8), column 0 the leftmost (y = 0.5).
    assert heightmap.image.shape == (17, 11)
    assert heightmap.image[0, 10] == pytest.approx(-0.3) and heightmap.image[16, 0] == pytest.approx(-0.95)


def rot_z(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot_x(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def test_h1_grid_is_yaw_aligned_only() -> None:
    points = np.array([[0.8, -0.5, -0.2], [-0.3, 0.2, -0.9]])
    reference = build_once(H1ScanLayout(), points).values
    for yaw, roll in ((0.0, 0.4), (2.0, 0.4), (-1.0, -0.3)):
        base = np.eye(4)
        base[:3, :3] = rot_z(yaw) @ rot_x(roll)
        base[:3, 3] = (5.0, 1.0, 0.3)
        world = points @ rot_z(yaw).T + base[:3, 3]  # the scan turns with yaw, ignores roll
        np.testing.assert_allclose(build_once(H1ScanLayout(), world, base_pose=base).values, reference, atol=1e-5)


@pytest.mark.parametrize("layout", [Go2LidarLayout(), H1ScanLayout()], ids=["go2", "h1"])
def test_window_of_posed_clouds_is_motion_compensated(layout) -> None:
    rng = np.random.default_rng(3)
    world = np.concatenate(
        [plane((-1.0, 2.0), (-1.2, 1.2), 0.0, step=0.03), rng.uniform((0.4, -0.3, 0.0), (0.7, 0.1, 0.2), (500, 3))]
    )
    sensor_in_base = pose_matrix((ORIGIN, (0.0, math.sin(_THETA / 2), 0.0, math.cos(_THETA / 2))))
    poses = [
        pose_matrix(((x, 0.05 * x, 0.32), (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))))
        for x, yaw in ((0.0, 0.0), (0.2, 0.1), (0.35, 0.25))
    ]
    builder = HeightMapBuilder(layout)
    for i, (base, part) in enumerate(zip(poses, np.array_split(rng.permutation(world), 3))):
        sensor = base @ sensor_in_base
        in_sensor = (part - sensor[:3, 3]) @ sensor[:3, :3]  # what the LiDAR reported, in its own frame
        builder.add_cloud(in_sensor.astype(np.float32), sensor, i * SECOND // 10)
    accumulated = builder.build(3 * SECOND // 10, poses[-1])
    direct = build_once(layout, world, base_pose=poses[-1])
    assert accumulated.clouds == 3 and accumulated.points_in_grid == direct.points_in_grid > 100
    np.testing.assert_allclose(accumulated.values, direct.values, atol=1e-4)


def test_window_pruning_and_stale_marking() -> None:
    builder = HeightMapBuilder(H1ScanLayout(), HeightMapConfig(window_s=0.3, ttl_s=0.1))
    empty = builder.build(0, np.eye(4))
    assert empty.stale and empty.clouds == 0 and empty.newest_cloud_ns is None
    np.testing.assert_array_equal(empty.values, np.full(187, 0.5, dtype=np.float32))

    builder.add_cloud(np.array([[0.0, 0.0, -1.0]]), np.eye(4), 0)
    builder.add_cloud(np.array([[0.5, 0.0, -0.9]]), np.eye(4), 250_000_000)
    fresh = builder.build(300_000_000, np.eye(4))
    assert not fresh.stale and fresh.clouds == 2 and fresh.newest_cloud_ns == 250_000_000
    late = builder.build(351_000_000, np.eye(4))
    assert late.stale and late.clouds == 1  # the t = 0 cloud left the 0.3 s window
    assert late.values[5 * 17 + 8] == pytest.approx(0.5)  # its point is gone
    assert late.values[5 * 17 + 13] == pytest.approx(0.4)


def test_point_budget_drops_oldest_clouds_and_non_finite_points() -> None:
    builder = HeightMapBuilder(H1ScanLayout(), HeightMapConfig(max_points=1_000))
    for i in range(3):
        builder.add_cloud(np.zeros((600, 3)), np.eye(4), i)
    assert builder.point_count == 600
    cloud = np.array([[0.0, 0.0, -1.0], [np.nan, 0.0, 0.0], [0.0, np.inf, 0.0]])
    assert builder.add_cloud(cloud, np.eye(4), 5) == 1


def test_bad_clouds_poses_and_settings_are_named() -> None:
    builder = HeightMapBuilder(Go2LidarLayout())
    with pytest.raises(CloudError, match="points"):
        builder.add_cloud(np.zeros((4, 2)), np.eye(4), 0)
    with pytest.raises(CloudError, match="stamp_ns"):
        builder.add_cloud(np.zeros((4, 3)), np.eye(4), -1)
    skewed = np.eye(4)
    skewed[0, 1] = 0.5
    with pytest.raises(CloudError, match="rotation"):
        builder.add_cloud(np.zeros((4, 3)), skewed, 0)
    with pytest.raises(CloudError, match="zero length"):
        builder.build(0, ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0)))
    with pytest.raises(HeightMapConfigError, match="window_s"):
        HeightMapConfig(window_s=0.0)
    with pytest.raises(HeightMapConfigError, match="max_points"):
        HeightMapConfig(max_points=10)
    with pytest.raises(HeightMapConfigError, match="empty_value"):
        H1ScanLayout(empty_value=2.0)
    with pytest.raises(HeightMapConfigError, match="origin_in_base_m"):
        Go2LidarLayout(origin_in_base_m=(0.0, 0.0))
    with pytest.raises(HeightMapConfigError, match="go2_lidar"):
        layout_by_name("go1_depth")
    assert isinstance(layout_by_name("h1_scan", empty_value=0.4), H1ScanLayout)
