"""Turns a Scenario into MuJoCo MJCF: textured ground, obstacles, pedestrians and the planar robot."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np

from anynav.msgs.geometry import rpy_to_matrix
from anynav.sim.robots import Mount, RobotSpec
from anynav.sim.scenario import Scenario

__all__ = [
    "CAMERA_NAME",
    "ROBOT_BODY",
    "ROBOT_GEOM",
    "ROBOT_GEOM_GROUP",
    "TIMESTEP",
    "GeomLabel",
    "WorldXml",
    "build_mjcf",
    "mount_rotation",
]

#: Physics timestep, seconds. A planar base at <= 1 m/s moves 5 mm per step.
TIMESTEP = 0.005
ROBOT_BODY = "robot"
ROBOT_GEOM = "robot_body"
CAMERA_NAME = "front_camera"
#: Geom group of the robot's own geoms: hidden from the camera and the LiDAR.
ROBOT_GEOM_GROUP = 3

_GROUNDS = {
    "grass": {
        "builtin": "flat",
        "rgb1": "0.30 0.45 0.20",
        "mark": "random",
        "markrgb": "0.45 0.58 0.28",
        "random": "0.35",
    },
    "asphalt": {
        "builtin": "flat",
        "rgb1": "0.22 0.22 0.23",
        "mark": "random",
        "markrgb": "0.45 0.45 0.45",
        "random": "0.2",
    },
    "paving": {
        "builtin": "checker",
        "rgb1": "0.62 0.60 0.56",
        "rgb2": "0.50 0.48 0.45",
        "mark": "edge",
        "markrgb": "0.3 0.3 0.3",
    },
    "sand": {
        "builtin": "flat",
        "rgb1": "0.76 0.68 0.50",
        "mark": "random",
        "markrgb": "0.60 0.52 0.38",
        "random": "0.3",
    },
}
#: Near clipping plane of the camera, metres.
_NEAR_CLIP_M = 0.02
#: Metres per ground texture tile.
_GROUND_TILE_M = 2.0


@dataclass(frozen=True)
class GeomLabel:
    """What a world geom stands for, in the scenario's own words.

    Attributes:
        label: the scenario element, e.g. ``buildings[3]`` or ``pedestrians[0]``.
        kind: "obstacle" or "pedestrian".
    """

    label: str
    kind: str


@dataclass(frozen=True)
class WorldXml:
    """The MJCF text and what each named obstacle/pedestrian geom stands for."""

    xml: str
    labels: dict[str, GeomLabel]


def mount_rotation(mount: Mount) -> np.ndarray:
    """3x3 rotation of a sensor frame in base_link: R = Rz(yaw) Ry(pitch) Rx(roll) (REP-103)."""
    return rpy_to_matrix(*np.radians(mount.rpy_deg))


def _fmt(values: object) -> str:
    return " ".join(f"{float(v):.6g}" for v in np.atleast_1d(np.asarray(values, dtype=float)))


def _rgba(rgb: tuple[float, float, float]) -> str:
    return _fmt((*rgb, 1.0))


def _yaw_quat(yaw: float) -> str:
    return _fmt((math.cos(yaw / 2.0), 0.0, 0.0, math.sin(yaw / 2.0)))


def build_mjcf(scenario: Scenario) -> WorldXml:
    """The MJCF model of a scenario.

    The robot is one body on three joints (slide x, slide y, hinge yaw, in that order so the
    slides stay world-aligned), driven by forces the world applies each step; its body box collides with
    obstacles and pedestrians but not with the ground. Pedestrians are mocap bodies moved
    by the world each step.
    """
    cam = scenario.sensors.camera
    root = ET.Element("mujoco", model=scenario.name)
    ET.SubElement(root, "compiler", angle="radian")
    ET.SubElement(root, "option", timestep=f"{TIMESTEP}", integrator="implicitfast")
    visual = ET.SubElement(root, "visual")
    ET.SubElement(visual, "global", offwidth=str(max(cam.width, 64)), offheight=str(max(cam.height, 64)))
    ET.SubElement(visual, "quality", shadowsize="0")
    ET.SubElement(visual, "headlight", ambient="0.45 0.45 0.45", diffuse="0.5 0.5 0.5", specular="0 0 0")
    # MuJoCo scales the clip planes by the model extent; fix the extent so the near plane
    # is 2 cm (a camera touching a wall still sees it) and the far plane spans the world.
    w = scenario.world
    extent = math.hypot(w.x_max - w.x_min, w.y_max - w.y_min)
    ET.SubElement(
        root, "statistic", extent=f"{extent:.6g}", center=_fmt(((w.x_min + w.x_max) / 2, (w.y_min + w.y_max) / 2, 0.0))
    )
    ET.SubElement(visual, "map", znear=f"{_NEAR_CLIP_M / extent:.6g}", zfar="1.5")

    asset = ET.SubElement(root, "asset")
    ET.SubElement(
        asset,
        "texture",
        name="sky",
        type="skybox",
        builtin="gradient",
        rgb1="0.55 0.70 0.90",
        rgb2="0.92 0.94 0.97",
        width="256",
        height="256",
    )
    ET.SubElement(
        asset,
        "texture",
        attrib={"name": "ground", "type": "2d", "width": "256", "height": "256", **_GROUNDS[scenario.world.ground]},
    )
    ET.SubElement(
        asset,
        "material",
        name="ground",
        texture="ground",
        texuniform="true",
        texrepeat=_fmt((1.0 / _GROUND_TILE_M,) * 2),
    )
    ET.SubElement(
        asset,
        "texture",
        name="facade",
        type="2d",
        builtin="checker",
        rgb1="1 1 1",
        rgb2="0.55 0.6 0.7",
        width="64",
        height="64",
    )
    ET.SubElement(asset, "material", name="facade", texture="facade", texuniform="true", texrepeat="0.5 0.5")

    world = ET.SubElement(root, "worldbody")
    ET.SubElement(world, "light", directional="true", dir="-0.3 -0.4 -1", diffuse="0.6 0.6 0.6", castshadow="false")
    # The ground plane gets a body of its own: mj_multiRay culls rays by each body's
    # bounding sphere, which ignores planes, so a plane sharing the world body with a box
    # would be skipped by every ray that misses the box (MuJoCo 3.x/4.0 behaviour).
    ground = ET.SubElement(world, "body", name="ground")
    ET.SubElement(
        ground,
        "geom",
        name="ground",
        type="plane",
        material="ground",
        contype="0",
        conaffinity="0",
        pos=_fmt(((w.x_min + w.x_max) / 2.0, (w.y_min + w.y_max) / 2.0, 0.0)),
        size=_fmt(((w.x_max - w.x_min) / 2.0, (w.y_max - w.y_min) / 2.0, 1.0)),
    )
    labels: dict[str, GeomLabel] = {}

    def obstacle(name: str, label: str, **attrs: str) -> None:
        ET.SubElement(world, "geom", attrib={"name": name, "contype": "1", "conaffinity": "1", **attrs})
        labels[name] = GeomLabel(label, "obstacle")

    for kind, boxes in (("buildings", scenario.buildings), ("parked", scenario.parked)):
        for i, box in enumerate(boxes):
            sx, sy, h = box.size
            extra = {"material": "facade"} if kind == "buildings" else {}
            obstacle(
                f"{kind}_{i}",
                f"{kind}[{i}]",
                type="box",
                size=_fmt((sx / 2, sy / 2, h / 2)),
                pos=_fmt((*box.center, h / 2)),
                quat=_yaw_quat(math.radians(box.yaw_deg)),
                rgba=_rgba(box.rgb),
                **extra,
            )
    for i, wall in enumerate(scenario.walls):
        (x0, y0), (x1, y1) = wall.start, wall.end
        length = math.hypot(x1 - x0, y1 - y0)
        obstacle(
            f"walls_{i}",
            f"walls[{i}]",
            type="box",
            size=_fmt((length / 2, wall.thickness / 2, wall.height / 2)),
            pos=_fmt(((x0 + x1) / 2, (y0 + y1) / 2, wall.height / 2)),
            quat=_yaw_quat(math.atan2(y1 - y0, x1 - x0)),
            rgba=_rgba(wall.rgb),
        )
    for i, pole in enumerate(scenario.poles):
        obstacle(
            f"poles_{i}",
            f"poles[{i}]",
            type="cylinder",
            size=_fmt((pole.radius, pole.height / 2)),
            pos=_fmt((*pole.position, pole.height / 2)),
            rgba="0.35 0.35 0.38 1",
        )
    for i, tree in enumerate(scenario.trees):
        trunk_h = tree.height - tree.crown_radius
        obstacle(
            f"trees_{i}",
            f"trees[{i}]",
            type="cylinder",
            size=_fmt((tree.trunk_radius, trunk_h / 2)),
            pos=_fmt((*tree.position, trunk_h / 2)),
            rgba="0.40 0.28 0.16 1",
        )
        obstacle(
            f"trees_{i}_crown",
            f"trees[{i}]",
            type="sphere",
            size=_fmt(tree.crown_radius),
            pos=_fmt((*tree.position, trunk_h)),
            rgba="0.18 0.42 0.16 1",
        )
    for i, person in enumerate(scenario.pedestrians):
        body = ET.SubElement(world, "body", name=f"pedestrians_{i}", mocap="true", pos=_fmt((*person.path[0], 0.0)))
        half = max(person.height / 2 - person.radius, 0.01)
        ET.SubElement(
            body,
            "geom",
            name=f"pedestrians_{i}",
            type="capsule",
            size=_fmt((person.radius, half)),
            pos=_fmt((0.0, 0.0, person.height / 2)),
            rgba="0.80 0.35 0.25 1",
            contype="1",
            conaffinity="1",
        )
        labels[f"pedestrians_{i}"] = GeomLabel(f"pedestrians[{i}]", "pedestrian")

    _add_robot(world, scenario)
    return WorldXml(xml=ET.tostring(root, encoding="unicode"), labels=labels)


def _add_robot(world: ET.Element, scenario: Scenario) -> None:
    """The planar robot body and its forward camera."""
    spec: RobotSpec = scenario.robot.spec
    body = ET.SubElement(world, "body", name=ROBOT_BODY, pos=_fmt((0.0, 0.0, spec.base_height)))
    ET.SubElement(body, "joint", name="x", type="slide", axis="1 0 0")
    ET.SubElement(body, "joint", name="y", type="slide", axis="0 1 0")
    ET.SubElement(body, "joint", name="yaw", type="hinge", axis="0 0 1")
    izz = spec.yaw_inertia
    ET.SubElement(body, "inertial", pos="0 0 0", mass=f"{spec.mass:g}", diaginertia=_fmt((izz, izz, izz)))
    half_h = (spec.body_top - spec.body_bottom) / 2
    ET.SubElement(
        body,
        "geom",
        name=ROBOT_GEOM,
        type="box",
        group=str(ROBOT_GEOM_GROUP),
        contype="1",
        conaffinity="1",
        size=_fmt((spec.length / 2, spec.width / 2, half_h)),
        pos=_fmt((0.0, 0.0, spec.body_bottom + half_h - spec.base_height)),
        rgba="0.9 0.9 0.92 1",
    )
    cam = scenario.sensors.camera
    rot = mount_rotation(scenario.camera_mount)
    # MuJoCo cameras look along -z with x right and y up: x = -(left), y = up of the mount.
    ET.SubElement(
        body,
        "camera",
        name=CAMERA_NAME,
        pos=_fmt(scenario.camera_mount.xyz),
        xyaxes=_fmt((*(-rot[:, 1]), *rot[:, 2])),
        fovy=f"{cam.vfov_deg:.8f}",  # MJCF fovy is in degrees whatever compiler/angle says
    )
