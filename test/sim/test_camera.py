"""Camera: intrinsics agree with FOV and resolution, and with where the renderer actually draws things."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld


def test_intrinsics_follow_fov_and_resolution(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(sensors={"camera": {"enabled": False, "width": 640, "height": 480, "hfov_deg": 100.0}})
    with SimWorld(scenario) as world:
        k = world.camera_intrinsics
    assert (k.width, k.height) == (640, 480)
    assert k.fx == k.fy  # square pixels
    assert math.isclose(2 * math.degrees(math.atan(320 / k.fx)), 100.0)
    assert math.isclose(2 * math.degrees(math.atan(240 / k.fy)), scenario.sensors.camera.vfov_deg)
    assert (k.cx, k.cy) == (319.5, 239.5)
    np.testing.assert_array_equal(k.k, [[k.fx, 0, 319.5], [0, k.fy, 239.5], [0, 0, 1]])


def test_a_box_is_drawn_where_the_intrinsics_project_it(make_scenario: Callable[..., Scenario]) -> None:
    """A red 1 m cube 3 m ahead and 0.5 m left: its front face spans the pixels K predicts."""
    d, left = 3.0, 0.5
    # The cube is centred at x = 0 in the world; put the camera 3.5 m behind it, so the front face is 3 m away.
    scenario = make_scenario(
        robot={"x": -(d + 0.5)},
        parked=[{"center": [0.0, left], "size": [1.0, 1.0, 1.0], "rgb": [1.0, 0.0, 0.0]}],
        sensors={
            "camera": {
                "enabled": True,
                "width": 320,
                "height": 240,
                "hfov_deg": 90.0,
                "mount": {"xyz": [0.0, 0.0, 0.2]},
            }
        },
    )
    with SimWorld(scenario) as world:
        image = world.render_rgb()
        k = world.camera_intrinsics
    assert image.shape == (240, 320, 3) and image.dtype == np.uint8
    rgb = image.astype(int)
    red = (rgb[..., 0] > 60) & (rgb[..., 0] > 2 * rgb[..., 1]) & (rgb[..., 0] > 2 * rgb[..., 2])
    rows, cols = np.nonzero(red)
    cam_z = scenario.robot.spec.base_height + 0.2
    # Optical frame: x right = -y_world, y down = -z_world, z forward = x_world.
    u_left, u_right = k.cx + k.fx * (-(left + 0.5)) / d, k.cx + k.fx * (-(left - 0.5)) / d
    v_top, v_bottom = k.cy + k.fy * (-(1.0 - cam_z)) / d, k.cy + k.fy * cam_z / d
    assert abs(cols.min() - u_left) <= 1.0 and abs(cols.max() - u_right) <= 1.0
    assert abs(rows.min() - v_top) <= 1.0 and abs(rows.max() - v_bottom) <= 1.0
