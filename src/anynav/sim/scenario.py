"""Simulation scenarios: the world, the robot, its sensors and the GPS mission, read strictly from YAML.

Every key of a scenario file maps to a field of the dataclasses below; an unknown key, a
missing required key, a value of the wrong type or out of range, an unknown robot or a
waypoint outside the world is a :class:`ScenarioError` naming the file and the key.
Coordinates are world metres: x east, y north, origin at the datum.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from anynav.paths import config_dirs
from anynav.sim.errors import ScenarioError
from anynav.sim.geodesy import Datum, LocalTangentPlane
from anynav.sim.robots import ROBOTS, LidarPattern, Mount, RobotSpec
from anynav.sim.validation import FieldError, require

__all__ = [
    "Building",
    "CameraConfig",
    "GpsConfig",
    "ImuConfig",
    "LidarConfig",
    "Mission",
    "OdometryConfig",
    "Pedestrian",
    "Pole",
    "RobotStart",
    "Scenario",
    "Sensors",
    "Tree",
    "Wall",
    "Waypoint",
    "World",
    "find_scenario",
    "load_scenario",
    "scenario_from_dict",
]

Ground = Literal["grass", "asphalt", "paving", "sand"]
FixStatus = Literal["no_fix", "fix", "sbas_fix", "gbas_fix"]
Rgb = tuple[float, float, float]

_MAX_WORLD_M = 2000.0


def _check_rgb(rgb: Rgb, key: str = "rgb") -> None:
    require(all(0.0 <= c <= 1.0 for c in rgb), key, "three values in [0, 1]", rgb)


@dataclass(frozen=True)
class World:
    """The rectangle the robot may drive in and the ground covering it.

    Attributes:
        x_min, x_max: east extent in metres (x_min < 0 < x_max is not required).
        y_min, y_max: north extent in metres.
        ground: ground texture: grass, asphalt, paving or sand.
    """

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    ground: Ground = "grass"

    def __post_init__(self) -> None:
        require(self.x_min < self.x_max, "x_max", f"greater than x_min={self.x_min}", self.x_max)
        require(self.y_min < self.y_max, "y_max", f"greater than y_min={self.y_min}", self.y_max)
        for key in ("x_min", "x_max", "y_min", "y_max"):
            value = getattr(self, key)
            require(abs(value) <= _MAX_WORLD_M, key, f"within {_MAX_WORLD_M:.0f} m of the origin", value)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """True when (x, y) lies inside the world, at least ``margin`` metres from its edge."""
        return self.x_min + margin <= x <= self.x_max - margin and self.y_min + margin <= y <= self.y_max - margin

    def describe(self) -> str:
        return f"x in [{self.x_min:g}, {self.x_max:g}] m, y in [{self.y_min:g}, {self.y_max:g}] m"


@dataclass(frozen=True)
class Building:
    """A box standing on the ground: a building, or (in ``parked``) a car, a bin, a bench.

    Attributes:
        center: (x, y) of the footprint centre, metres.
        size: (length along its x, width along its y, height), metres.
        yaw_deg: rotation about z, degrees counter-clockwise from east.
        rgb: colour, three values in [0, 1].
    """

    center: tuple[float, float]
    size: tuple[float, float, float]
    yaw_deg: float = 0.0
    rgb: Rgb = (0.62, 0.58, 0.52)

    def __post_init__(self) -> None:
        require(all(0.05 <= s <= 500.0 for s in self.size), "size", "three values in [0.05, 500] m", self.size)
        require(abs(self.yaw_deg) <= 360.0, "yaw_deg", "in [-360, 360] degrees", self.yaw_deg)
        _check_rgb(self.rgb)


@dataclass(frozen=True)
class Wall:
    """A straight wall segment on the ground.

    Attributes:
        start, end: (x, y) of its two ends, metres.
        height: metres.
        thickness: metres.
        rgb: colour.
    """

    start: tuple[float, float]
    end: tuple[float, float]
    height: float = 2.0
    thickness: float = 0.2
    rgb: Rgb = (0.75, 0.72, 0.68)

    def __post_init__(self) -> None:
        require(math.dist(self.start, self.end) >= 0.1, "end", f"at least 0.1 m from start={self.start}", self.end)
        require(0.1 <= self.height <= 100.0, "height", "in [0.1, 100] m", self.height)
        require(0.02 <= self.thickness <= 5.0, "thickness", "in [0.02, 5] m", self.thickness)
        _check_rgb(self.rgb)


@dataclass(frozen=True)
class Pole:
    """A thin vertical cylinder: lamp post, sign, bollard.

    Attributes:
        position: (x, y), metres.
        radius: metres.
        height: metres.
    """

    position: tuple[float, float]
    radius: float = 0.08
    height: float = 4.0

    def __post_init__(self) -> None:
        require(0.01 <= self.radius <= 2.0, "radius", "in [0.01, 2] m", self.radius)
        require(0.1 <= self.height <= 50.0, "height", "in [0.1, 50] m", self.height)


@dataclass(frozen=True)
class Tree:
    """A trunk cylinder with a spherical crown.

    Attributes:
        position: (x, y), metres.
        trunk_radius: metres.
        crown_radius: metres.
        height: top of the crown above ground, metres.
    """

    position: tuple[float, float]
    trunk_radius: float = 0.15
    crown_radius: float = 1.2
    height: float = 5.0

    def __post_init__(self) -> None:
        require(0.02 <= self.trunk_radius <= 2.0, "trunk_radius", "in [0.02, 2] m", self.trunk_radius)
        require(
            self.trunk_radius <= self.crown_radius <= 10.0,
            "crown_radius",
            f"in [trunk_radius={self.trunk_radius}, 10] m",
            self.crown_radius,
        )
        require(
            2.0 * self.crown_radius < self.height <= 60.0,
            "height",
            f"in (2 * crown_radius = {2.0 * self.crown_radius:g}, 60] m so the crown clears the ground",
            self.height,
        )


@dataclass(frozen=True)
class Pedestrian:
    """A person walking along a polyline at constant speed (a kinematic body).

    Attributes:
        path: two or more (x, y) points, metres.
        speed: walking speed, m/s.
        loop: True walks the closed polygon (last point back to the first); False walks
            to the end and back.
        radius: body radius, metres.
        height: metres.
    """

    path: tuple[tuple[float, float], ...]
    speed: float = 1.2
    loop: bool = False
    radius: float = 0.25
    height: float = 1.75

    def __post_init__(self) -> None:
        require(len(self.path) >= 2, "path", "at least two (x, y) points", self.path)
        require(0.0 <= self.speed <= 5.0, "speed", "in [0, 5] m/s", self.speed)
        require(0.1 <= self.radius <= 1.0, "radius", "in [0.1, 1] m", self.radius)
        require(0.5 <= self.height <= 2.5, "height", "in [0.5, 2.5] m", self.height)
        for i in range(1, len(self.path)):
            require(
                math.dist(self.path[i - 1], self.path[i]) > 0.0,
                f"path[{i}]",
                "distinct from the point before it",
                self.path[i],
            )


@dataclass(frozen=True)
class RobotStart:
    """Which robot to simulate and where it starts.

    Attributes:
        name: go1, go2, h1, t1 or wheeled (see anynav.sim.robots).
        x, y: start position, metres.
        yaw_deg: start heading, degrees counter-clockwise from east.
    """

    name: str
    x: float = 0.0
    y: float = 0.0
    yaw_deg: float = 0.0

    def __post_init__(self) -> None:
        require(self.name in ROBOTS, "name", f"one of {', '.join(sorted(ROBOTS))}", self.name)
        require(abs(self.yaw_deg) <= 360.0, "yaw_deg", "in [-360, 360] degrees", self.yaw_deg)

    @property
    def spec(self) -> RobotSpec:
        return ROBOTS[self.name]


@dataclass(frozen=True)
class Waypoint:
    """A GPS waypoint, WGS84 degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        require(-90.0 <= self.latitude <= 90.0, "latitude", "in [-90, 90] degrees", self.latitude)
        require(-180.0 <= self.longitude <= 180.0, "longitude", "in [-180, 180] degrees", self.longitude)


@dataclass(frozen=True)
class Mission:
    """The GPS waypoint mission of a simulation run.

    Attributes:
        waypoints: visited in order.
        arrival_radius: a waypoint counts as reached within this distance, metres.
        timeout_s: sim time after which the run stops unfinished, seconds.
    """

    waypoints: tuple[Waypoint, ...]
    arrival_radius: float = 2.0
    timeout_s: float = 600.0

    def __post_init__(self) -> None:
        require(len(self.waypoints) >= 1, "waypoints", "a list of at least one {latitude, longitude}", self.waypoints)
        require(0.1 <= self.arrival_radius <= 50.0, "arrival_radius", "in [0.1, 50] m", self.arrival_radius)
        require(1.0 <= self.timeout_s <= 86400.0, "timeout_s", "in [1, 86400] s", self.timeout_s)


@dataclass(frozen=True)
class CameraConfig:
    """The forward RGB camera.

    Attributes:
        enabled: render images at all.
        width, height: pixels.
        hfov_deg: horizontal field of view, degrees.
        rate_hz: frames per second of sim time.
        mount: pose on the robot; None takes the robot's default (anynav.sim.robots).
    """

    enabled: bool = True
    width: int = 640
    height: int = 480
    hfov_deg: float = 90.0
    rate_hz: float = 5.0
    mount: Mount | None = None

    def __post_init__(self) -> None:
        require(16 <= self.width <= 4096, "width", "in [16, 4096] px", self.width)
        require(16 <= self.height <= 4096, "height", "in [16, 4096] px", self.height)
        require(10.0 <= self.hfov_deg <= 170.0, "hfov_deg", "in [10, 170] degrees", self.hfov_deg)
        require(0.0 < self.rate_hz <= 60.0, "rate_hz", "in (0, 60] Hz", self.rate_hz)

    @property
    def vfov_deg(self) -> float:
        """Vertical field of view of a square-pixel pinhole with this width, height and hfov."""
        half = math.tan(math.radians(self.hfov_deg) / 2.0) * self.height / self.width
        return math.degrees(2.0 * math.atan(half))


@dataclass(frozen=True)
class GpsConfig:
    """The GPS receiver.

    Attributes:
        rate_hz: fixes per second.
        horizontal_noise_std: per-axis (east, north) white noise, metres.
        vertical_noise_std: altitude white noise, metres.
        fix_status: reported NavSatStatus: no_fix, fix, sbas_fix, gbas_fix (RTK).
        dropout_probability: chance that a fix is not delivered at all.
    """

    rate_hz: float = 5.0
    horizontal_noise_std: float = 0.5
    vertical_noise_std: float = 1.0
    fix_status: FixStatus = "fix"
    dropout_probability: float = 0.0

    def __post_init__(self) -> None:
        require(0.0 < self.rate_hz <= 100.0, "rate_hz", "in (0, 100] Hz", self.rate_hz)
        require(
            0.0 <= self.horizontal_noise_std <= 50.0, "horizontal_noise_std", "in [0, 50] m", self.horizontal_noise_std
        )
        require(0.0 <= self.vertical_noise_std <= 50.0, "vertical_noise_std", "in [0, 50] m", self.vertical_noise_std)
        require(0.0 <= self.dropout_probability <= 1.0, "dropout_probability", "in [0, 1]", self.dropout_probability)


@dataclass(frozen=True)
class ImuConfig:
    """The IMU at base_link.

    Attributes:
        rate_hz: samples per second.
        gyro_noise_std: rad/s per axis.
        accel_noise_std: m/s^2 per axis.
        yaw_noise_std_deg: orientation (heading) noise, degrees.
    """

    rate_hz: float = 100.0
    gyro_noise_std: float = 0.005
    accel_noise_std: float = 0.05
    yaw_noise_std_deg: float = 0.5

    def __post_init__(self) -> None:
        require(0.0 < self.rate_hz <= 1000.0, "rate_hz", "in (0, 1000] Hz", self.rate_hz)
        require(0.0 <= self.gyro_noise_std <= 1.0, "gyro_noise_std", "in [0, 1] rad/s", self.gyro_noise_std)
        require(0.0 <= self.accel_noise_std <= 5.0, "accel_noise_std", "in [0, 5] m/s^2", self.accel_noise_std)
        require(
            0.0 <= self.yaw_noise_std_deg <= 30.0, "yaw_noise_std_deg", "in [0, 30] degrees", self.yaw_noise_std_deg
        )


@dataclass(frozen=True)
class OdometryConfig:
    """Leg/wheel odometry in the odom frame (starts at the robot's start pose, drifts).

    Attributes:
        rate_hz: messages per second.
        scale_error: relative error of measured linear speed (0.02 = reads 2 % fast).
        yaw_rate_bias: constant gyro-like bias added to the measured yaw rate, rad/s.
        velocity_noise_std: white noise on measured vx, vy (m/s) and wz (rad/s).
    """

    rate_hz: float = 50.0
    scale_error: float = 0.02
    yaw_rate_bias: float = 0.002
    velocity_noise_std: float = 0.01

    def __post_init__(self) -> None:
        require(0.0 < self.rate_hz <= 1000.0, "rate_hz", "in (0, 1000] Hz", self.rate_hz)
        require(-0.5 <= self.scale_error <= 0.5, "scale_error", "in [-0.5, 0.5]", self.scale_error)
        require(-0.5 <= self.yaw_rate_bias <= 0.5, "yaw_rate_bias", "in [-0.5, 0.5] rad/s", self.yaw_rate_bias)
        require(0.0 <= self.velocity_noise_std <= 1.0, "velocity_noise_std", "in [0, 1]", self.velocity_noise_std)


@dataclass(frozen=True)
class LidarConfig:
    """The ray-cast LiDAR.

    Attributes:
        enabled: cast rays at all.
        pattern: l1 (Unitree 4D LiDAR L1: downward hemisphere) or mid360 (Livox Mid-360:
            360 degrees around, -7..52 degrees up); None takes the robot's default.
        rate_hz: sweeps per second.
        points_per_sweep: rays cast per sweep (returns without a hit are dropped).
        min_range, max_range: metres; returns outside are dropped.
        mount: pose on the robot; None takes the robot's default.
    """

    enabled: bool = True
    pattern: LidarPattern | None = None
    rate_hz: float = 10.0
    points_per_sweep: int = 20000
    min_range: float = 0.1
    max_range: float = 30.0
    mount: Mount | None = None

    def __post_init__(self) -> None:
        require(0.0 < self.rate_hz <= 50.0, "rate_hz", "in (0, 50] Hz", self.rate_hz)
        require(1 <= self.points_per_sweep <= 500_000, "points_per_sweep", "in [1, 500000]", self.points_per_sweep)
        require(
            0.0 <= self.min_range < self.max_range, "min_range", f"in [0, max_range={self.max_range})", self.min_range
        )
        require(self.max_range <= 500.0, "max_range", "at most 500 m", self.max_range)


@dataclass(frozen=True)
class Sensors:
    """All sensors; every section is optional and defaults as documented on its class."""

    camera: CameraConfig = field(default_factory=CameraConfig)
    gps: GpsConfig = field(default_factory=GpsConfig)
    imu: ImuConfig = field(default_factory=ImuConfig)
    odometry: OdometryConfig = field(default_factory=OdometryConfig)
    lidar: LidarConfig = field(default_factory=LidarConfig)


@dataclass(frozen=True)
class Scenario:
    """A complete simulation scenario.

    Attributes:
        name: short identifier, used in file names of outputs.
        world: extent and ground.
        datum: WGS84 position of the world origin.
        robot: robot name and start pose.
        mission: GPS waypoints, arrival radius, timeout.
        description: one line for people.
        buildings, walls, poles, trees, parked: static obstacles ("parked" are boxes such
            as cars and bins, drawn and reported apart from buildings).
        pedestrians: people walking along paths.
        sensors: sensor settings.
        seed: seeds every noise source, so a run is reproducible.
    """

    name: str
    world: World
    datum: Datum
    robot: RobotStart
    mission: Mission
    description: str = ""
    buildings: tuple[Building, ...] = ()
    walls: tuple[Wall, ...] = ()
    poles: tuple[Pole, ...] = ()
    trees: tuple[Tree, ...] = ()
    parked: tuple[Building, ...] = ()
    pedestrians: tuple[Pedestrian, ...] = ()
    sensors: Sensors = field(default_factory=Sensors)
    seed: int = 0

    def __post_init__(self) -> None:
        require(bool(self.name.strip()), "name", "a non-empty string", self.name)
        require(0 <= self.seed < 2**32, "seed", "in [0, 2^32)", self.seed)
        margin = self.robot.spec.circumradius
        require(
            self.world.contains(self.robot.x, self.robot.y, margin),
            "robot",
            f"a start pose inside the world ({self.world.describe()}) with {margin:.2f} m to spare for the body",
            (self.robot.x, self.robot.y),
        )
        for i, (east, north) in enumerate(self.waypoints_enu()):
            if not self.world.contains(east, north):
                raise FieldError(
                    f"mission.waypoints[{i}]",
                    f"({self.mission.waypoints[i].latitude}, {self.mission.waypoints[i].longitude}) lies at "
                    f"x={east:.1f} m, y={north:.1f} m from the datum, outside the world ({self.world.describe()})",
                )
        for key, (x, y) in self._placed_points():
            if not self.world.contains(x, y):
                raise FieldError(key, f"({x:g}, {y:g}) lies outside the world ({self.world.describe()})")

    def _placed_points(self) -> Iterator[tuple[str, tuple[float, float]]]:
        """Every (x, y) an obstacle or a pedestrian path is placed at, with its key in the file."""
        for name, boxes in (("buildings", self.buildings), ("parked", self.parked)):
            for i, box in enumerate(boxes):
                yield f"{name}[{i}].center", box.center
        for i, pole in enumerate(self.poles):
            yield f"poles[{i}].position", pole.position
        for i, tree in enumerate(self.trees):
            yield f"trees[{i}].position", tree.position
        for i, wall in enumerate(self.walls):
            yield f"walls[{i}].start", wall.start
            yield f"walls[{i}].end", wall.end
        for i, person in enumerate(self.pedestrians):
            for j, point in enumerate(person.path):
                yield f"pedestrians[{i}].path[{j}]", point

    def waypoints_enu(self) -> list[tuple[float, float]]:
        """The mission waypoints as (x east, y north) world metres."""
        plane = LocalTangentPlane(self.datum)
        out = []
        for wp in self.mission.waypoints:
            east, north, _ = plane.to_enu(wp.latitude, wp.longitude)
            out.append((float(east), float(north)))
        return out

    @property
    def camera_mount(self) -> Mount:
        return self.sensors.camera.mount or self.robot.spec.camera_mount

    @property
    def lidar_mount(self) -> Mount:
        return self.sensors.lidar.mount or self.robot.spec.lidar_mount

    @property
    def lidar_pattern(self) -> LidarPattern:
        return self.sensors.lidar.pattern or self.robot.spec.lidar_pattern


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; ScenarioError names the file and the key."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(source, "", f"cannot read the file: {err.strerror or err}") from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(source, "", f"not valid YAML: {err}") from err
    return scenario_from_dict(data, source=path.name)


def scenario_from_dict(data: Any, source: str = "<dict>") -> Scenario:
    """Validate a parsed scenario mapping; ``source`` names it in error messages."""
    return _build(Scenario, data, "", source)


def find_scenario(name_or_path: str) -> Path:
    """Resolve a scenario given as a file path or as a name shipped in config/scenarios/.

    Shipped scenarios are looked up in ``scenarios/`` of every config directory
    (anynav.paths.config_dirs: $ANYNAV_CONFIG_DIR, the source tree, the install shares).
    """
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError(name_or_path, "", "no such scenario file")
        return candidate
    roots = [directory / "scenarios" for directory in config_dirs()]
    for root in roots:
        found = root / f"{name_or_path}.yaml"
        if found.is_file():
            return found
    shipped = sorted({p.stem for root in roots if root.is_dir() for p in root.glob("*.yaml")})
    raise ScenarioError(name_or_path, "", f"no such scenario; shipped scenarios: {', '.join(shipped) or 'none found'}")


# --- strict YAML -> dataclass conversion --------------------------------------------------


def _join(path: str, key: str) -> str:
    if not path:
        return key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def _build(cls: type, data: Any, path: str, source: str) -> Any:
    """Build dataclass ``cls`` from a mapping, rejecting unknown and missing keys by name."""
    names = {f.name: f for f in dataclasses.fields(cls) if f.init}
    if not isinstance(data, Mapping):
        raise ScenarioError(
            source, path or "<top level>", f"expected a mapping with keys {', '.join(names)}, got {type(data).__name__}"
        )
    for key in data:
        if key not in names:
            raise ScenarioError(source, _join(path, str(key)), f"unknown key (allowed: {', '.join(names)})")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, f in names.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ScenarioError(source, _join(path, name), "missing required key")
            continue
        kwargs[name] = _convert(hints[name], data[name], _join(path, name), source)
    try:
        return cls(**kwargs)
    except FieldError as err:
        raise ScenarioError(source, _join(path, err.key), err.reason) from None


def _convert(tp: Any, value: Any, path: str, source: str) -> Any:
    """Convert one YAML value to the annotated type, or raise ScenarioError naming ``path``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, path, source)
    if origin is Literal:
        if value not in args:
            raise ScenarioError(source, path, f"must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ScenarioError(source, path, f"expected a list, got {type(value).__name__} {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]", source) for i, v in enumerate(value))
        if len(value) != len(args):
            raise ScenarioError(source, path, f"expected a list of {len(args)} values, got {len(value)}: {value!r}")
        return tuple(_convert(a, v, f"{path}[{i}]", source) for i, (a, v) in enumerate(zip(args, value)))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value, path, source)
    if tp is bool:
        if not isinstance(value, bool):
            raise ScenarioError(source, path, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(source, path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ScenarioError(source, path, f"expected a finite number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ScenarioError(source, path, f"expected a string, got {value!r}")
        return value
    raise TypeError(f"scenario field {path} has an unsupported annotation {tp!r}")
