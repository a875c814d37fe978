"""The simulated world: steps a scenario's physics and reads its sensors as numpy/plain data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Self

import numpy as np

from anynav.sim import gl
from anynav.sim.errors import RenderBackendError, ScenarioError, SimError, StepError
from anynav.sim.geodesy import LocalTangentPlane
from anynav.sim.gl import mujoco
from anynav.sim.lidar import FRAME_IDS, cast_rays, scan_directions
from anynav.sim.mjcf import (
    CAMERA_NAME,
    ROBOT_BODY,
    ROBOT_GEOM,
    ROBOT_GEOM_GROUP,
    TIMESTEP,
    build_mjcf,
    mount_rotation,
)
from anynav.sim.motion import VelocityLimiter
from anynav.sim.robots import Mount
from anynav.sim.scenario import Pedestrian, Scenario
from anynav.sim.sensors import (
    GpsFix,
    GpsModel,
    ImuModel,
    ImuSample,
    OdometryModel,
    OdometrySample,
)

__all__ = ["CameraIntrinsics", "CollisionEvent", "FrameTransform", "Pose2D", "SimWorld"]

#: Obstacles farther than this from the robot body are not measured for clearance, metres.
CLEARANCE_RANGE_M = 10.0

_TIMESTEP_NS = round(TIMESTEP * 1e9)

#: Rotation from camera_link (x forward, y left, z up) to the optical frame (z forward, x right, y down).
_OPTICAL_IN_LINK = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class Pose2D:
    """Planar pose in the world: x east, y north (metres), yaw counter-clockwise from east (rad)."""

    x: float
    y: float
    yaw: float


@dataclass(frozen=True)
class CameraIntrinsics:
    """Pinhole intrinsics of the rendered images, for sensor_msgs/CameraInfo (no distortion).

    Attributes:
        width, height: pixels.
        fx, fy, cx, cy: focal lengths and principal point in pixels (pixel centres at
            integer coordinates, the OpenCV/ROS convention).
    """

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float

    @property
    def k(self) -> np.ndarray:
        """The 3x3 camera matrix K."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class CollisionEvent:
    """The robot body began touching something.

    Attributes:
        time_s: sim time, seconds.
        other: the scenario element touched, e.g. ``walls[2]`` or ``pedestrians[0]``.
        kind: "obstacle" or "pedestrian".
        x, y: world position of the contact, metres.
    """

    time_s: float
    other: str
    kind: str
    x: float
    y: float


@dataclass(frozen=True)
class FrameTransform:
    """A fixed sensor frame in base_link: translation (m) and rotation quaternion (x, y, z, w)."""

    translation: tuple[float, float, float]
    rotation: tuple[float, float, float, float]


def _quat_xyzw(rot: np.ndarray) -> tuple[float, float, float, float]:
    quat = np.empty(4)
    mujoco.mju_mat2Quat(quat, np.ascontiguousarray(rot, dtype=np.float64).ravel())
    if quat[0] < 0.0:
        quat = -quat  # same rotation; w >= 0 reads better in TF echo output
    w, x, y, z = quat
    return (float(x), float(y), float(z), float(w))


class _PedestrianTrack:
    """Where a pedestrian walking a polyline at constant speed is at a given time."""

    def __init__(self, person: Pedestrian) -> None:
        points = np.asarray(person.path, dtype=np.float64)
        if person.loop:
            points = np.vstack((points, points[:1]))
        self._points = points
        self._cumulative = np.concatenate(([0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))))
        self._speed = person.speed
        self._loop = person.loop

    def position(self, t: float) -> np.ndarray:
        total = self._cumulative[-1]
        s = self._speed * t
        s = s % total if self._loop else total - abs(s % (2.0 * total) - total)
        return np.array(
            [np.interp(s, self._cumulative, self._points[:, 0]), np.interp(s, self._cumulative, self._points[:, 1])]
        )


class SimWorld:
    """A MuJoCo world built from a Scenario: a velocity-driven planar robot among obstacles and pedestrians.

    Time advances only through :meth:`step`. Sensors are read on demand (the caller decides
    the rates, e.g. with :class:`anynav.sim.schedule.RateGate`); every noise source has its
    own generator seeded from ``scenario.seed``, so turning one sensor off leaves the
    others' noise unchanged.

    Attributes:
        scenario: what the world was built from.
        spec: the simulated robot.
        model, data: the MuJoCo model and state (read them, do not step them directly).
        clearance: distance from the robot body to the nearest obstacle or pedestrian
            after the last step, metres (inf beyond 10 m, negative when penetrating).
        min_clearance: the smallest clearance since the start.

    Raises ScenarioError when the robot starts inside an obstacle or a pedestrian, and
    RenderBackendError when the camera is enabled but no headless GL backend works.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        spec = scenario.robot.spec
        self.spec = spec
        world_xml = build_mjcf(scenario)
        self.model = mujoco.MjModel.from_xml_string(world_xml.xml)
        self.data = mujoco.MjData(self.model)
        self._labels = {self.model.geom(name).id: label for name, label in world_xml.labels.items()}
        self._body_id = self.model.body(ROBOT_BODY).id
        self._geom_id = self.model.geom(ROBOT_GEOM).id
        self._qpos = [self.model.joint(name).qposadr[0] for name in ("x", "y", "yaw")]
        self._qvel = [self.model.joint(name).dofadr[0] for name in ("x", "y", "yaw")]
        self.data.qpos[self._qpos] = (scenario.robot.x, scenario.robot.y, math.radians(scenario.robot.yaw_deg))
        self._tracks = [_PedestrianTrack(p) for p in scenario.pedestrians]
        self._mocap_ids = [
            self.model.body_mocapid[self.model.body(f"pedestrians_{i}").id] for i in range(len(self._tracks))
        ]
        self._move_pedestrians(0.0)
        mujoco.mj_forward(self.model, self.data)

        streams = np.random.SeedSequence(scenario.seed).spawn(3)
        sensors = scenario.sensors
        self._plane = LocalTangentPlane(scenario.datum)
        self._gps = GpsModel(sensors.gps, self._plane, np.random.default_rng(streams[0]))
        self._imu = ImuModel(sensors.imu, float(-self.model.opt.gravity[2]), np.random.default_rng(streams[1]))
        self._odometry = OdometryModel(sensors.odometry, np.random.default_rng(streams[2]))
        self._limiter = VelocityLimiter(spec.limits)
        # Enough force for any manoeuvre within the limits (acceleration, with margin, plus
        # the centripetal term of turning at full speed), and no more: that is how hard a
        # blocked robot pushes against what stops it.
        lim = spec.limits
        top_speed = max(lim.max_vx, -lim.min_vx, lim.max_vy)
        self._max_force = spec.mass * (2.0 * lim.max_accel + lim.max_wz * top_speed)
        self._max_torque = spec.yaw_inertia * 2.0 * lim.max_yaw_accel
        self._accel_world = np.zeros(2)
        self._touching: set[int] = set()
        self._obstacle_geoms = np.array(sorted(self._labels), dtype=np.int32)
        self.clearance, nearest = self._nearest_obstacle()
        if self.clearance < 0.0:
            raise ScenarioError(
                f"scenario {scenario.name!r}",
                "robot",
                f"the {spec.name} body at the start pose ({scenario.robot.x:g}, {scenario.robot.y:g}) overlaps "
                f"{self._labels[nearest].label} by {-self.clearance:.2f} m; move the start or the obstacle",
            )
        self.min_clearance = self.clearance
        self._steps = 0

        self._lidar_rotation = mount_rotation(scenario.lidar_mount)
        self._lidar_sweep = 0
        self._scene_option = mujoco.MjvOption()
        self._scene_option.geomgroup[ROBOT_GEOM_GROUP] = 0
        self._renderer: mujoco.Renderer | None = None
        if sensors.camera.enabled:
            self._renderer = self._make_renderer()

    # --- time and motion --------------------------------------------------------------

    @property
    def time(self) -> float:
        """Sim time, seconds since the start."""
        return float(self.data.time)

    @property
    def time_ns(self) -> int:
        """Sim time in integer nanoseconds, exact (counted in physics steps): use it for /clock and stamps."""
        return self._steps * _TIMESTEP_NS

    def step(self, vx: float, vy: float, wz: float, dt: float) -> list[CollisionEvent]:
        """Drive the base with a body-frame command for ``dt`` seconds of sim time.

        The command is clipped to the robot's speed limits and slewed at its acceleration
        limits every physics step. Returns the collisions that began during the step.
        """
        steps = round(dt / TIMESTEP)
        if steps < 1 or abs(steps * TIMESTEP - dt) > 1e-9:
            raise StepError(f"dt must be a positive multiple of the physics timestep {TIMESTEP} s, got {dt!r}")
        v_start = self.data.qvel[self._qvel[:2]].copy()
        start = self.pose()
        events: list[CollisionEvent] = []
        for _ in range(steps):
            self._drive(self._limiter.apply(vx, vy, wz, TIMESTEP))
            self._move_pedestrians(self.data.time + TIMESTEP)
            mujoco.mj_step(self.model, self.data)
            self._steps += 1
            events.extend(self._new_contacts())
        self._accel_world = (self.data.qvel[self._qvel[:2]] - v_start) / dt
        end = self.pose()
        c, s = math.cos(start.yaw), math.sin(start.yaw)
        dx, dy = end.x - start.x, end.y - start.y
        motion = (c * dx + s * dy, -s * dx + c * dy, math.remainder(end.yaw - start.yaw, 2.0 * math.pi))
        self._odometry.integrate(motion, self.velocity(), dt)
        self.clearance, _ = self._nearest_obstacle()
        self.min_clearance = min(self.min_clearance, self.clearance)
        return events

    def pose(self) -> Pose2D:
        """True pose of base_link in the world."""
        x, y, yaw = (float(self.data.qpos[i]) for i in self._qpos)
        return Pose2D(x, y, math.remainder(yaw, 2.0 * math.pi))

    def velocity(self) -> tuple[float, float, float]:
        """True body-frame velocity (vx, vy, wz) of base_link."""
        vxw, vyw, wz = (float(self.data.qvel[i]) for i in self._qvel)
        yaw = float(self.data.qpos[self._qpos[2]])
        c, s = math.cos(yaw), math.sin(yaw)
        return (c * vxw + s * vyw, -s * vxw + c * vyw, wz)

    def pedestrian_positions(self) -> np.ndarray:
        """(P x 2) world positions of the pedestrians."""
        if not self._mocap_ids:
            return np.zeros((0, 2))
        return self.data.mocap_pos[self._mocap_ids, :2].copy()

    # --- sensors --------------------------------------------------------------------------

    def read_gps(self) -> GpsFix | None:
        """A GPS fix of the antenna (None when the configured dropout strikes)."""
        east, north, up = self._sensor_world_position(self.spec.gps_mount)
        return self._gps.sample(east, north, up)

    def read_imu(self) -> ImuSample:
        """An IMU reading at base_link: heading, yaw rate and specific force."""
        yaw = float(self.data.qpos[self._qpos[2]])
        c, s = math.cos(yaw), math.sin(yaw)
        ax, ay = self._accel_world
        return self._imu.sample(yaw, float(self.data.qvel[self._qvel[2]]), (c * ax + s * ay, -s * ax + c * ay))

    def read_odometry(self) -> OdometrySample:
        """The drifting odometry of base_link in the odom frame."""
        return self._odometry.sample()

    @property
    def lidar_frame_id(self) -> str:
        """Frame id of the point clouds: utlidar_lidar (L1) or livox_frame (Mid-360)."""
        return FRAME_IDS[self.scenario.lidar_pattern]

    def scan_lidar(self) -> np.ndarray:
        """One LiDAR sweep: hit points (N x 3 float32) in the LiDAR frame; each call is a new sweep."""
        cfg = self.scenario.sensors.lidar
        if not cfg.enabled:
            raise SimError("the LiDAR is disabled in this scenario (sensors.lidar.enabled: false)")
        directions = scan_directions(self.scenario.lidar_pattern, cfg.points_per_sweep, self._lidar_sweep)
        self._lidar_sweep += 1
        body_rot = self.data.xmat[self._body_id].reshape(3, 3)
        origin = self._sensor_world_position(self.scenario.lidar_mount)
        return cast_rays(
            self.model,
            self.data,
            origin,
            body_rot @ self._lidar_rotation,
            directions,
            cfg.min_range,
            cfg.max_range,
            ROBOT_GEOM_GROUP,
            self._body_id,
        )

    @property
    def camera_intrinsics(self) -> CameraIntrinsics:
        """Pinhole intrinsics matching :meth:`render_rgb` (square pixels, centred principal point)."""
        cam = self.scenario.sensors.camera
        f = (cam.width / 2.0) / math.tan(math.radians(cam.hfov_deg) / 2.0)
        return CameraIntrinsics(cam.width, cam.height, f, f, (cam.width - 1) / 2.0, (cam.height - 1) / 2.0)

    def render_rgb(self) -> np.ndarray:
        """The forward camera image, H x W x 3 uint8, top row first; the robot itself is not drawn."""
        if self._renderer is None:
            raise RenderBackendError("the camera is disabled in this scenario (sensors.camera.enabled: false)")
        self._renderer.update_scene(self.data, camera=CAMERA_NAME, scene_option=self._scene_option)
        return self._renderer.render()

    def sensor_frames(self) -> dict[str, FrameTransform]:
        """The fixed sensor frames in base_link, for the static TF tree (REP-103/105 names)."""
        s = self.scenario
        cam_rot = mount_rotation(s.camera_mount)
        frames = {
            "camera_link": (s.camera_mount.xyz, cam_rot),
            "camera_optical_frame": (s.camera_mount.xyz, cam_rot @ _OPTICAL_IN_LINK),
            self.lidar_frame_id: (s.lidar_mount.xyz, self._lidar_rotation),
            "gps_link": (s.robot.spec.gps_mount.xyz, mount_rotation(s.robot.spec.gps_mount)),
            "imu_link": ((0.0, 0.0, 0.0), np.eye(3)),
        }
        return {
            name: FrameTransform(tuple(float(v) for v in xyz), _quat_xyzw(rot))  # type: ignore[arg-type]
            for name, (xyz, rot) in frames.items()
        }

    def close(self) -> None:
        """Release the GL context of the camera."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals ------------------------------------------------------------------------

    def _make_renderer(self) -> mujoco.Renderer:
        gl.require_rendering()
        cam = self.scenario.sensors.camera
        try:
            return mujoco.Renderer(self.model, height=cam.height, width=cam.width)
        except Exception as err:  # GL failures surface as many exception types
            raise RenderBackendError(
                f"MUJOCO_GL={gl.MUJOCO_GL} cannot render: {err}. Unset MUJOCO_GL to let anynav try EGL and OSMesa, "
                "or install libEGL (apt install libegl1) or libOSMesa (apt install libosmesa6)."
            ) from err

    def _drive(self, cmd: np.ndarray) -> None:
        """Apply the forces that bring the base to body-frame velocity ``cmd`` within one physics step.

        The target world velocity is the command rotated by the heading the base will have
        after the step, so a turning base tracks its body-frame command exactly (no lateral
        slip). Forces are capped (see __init__) so a blocked robot pushes, it does not tunnel.
        """
        yaw_next = self.data.qpos[self._qpos[2]] + cmd[2] * TIMESTEP
        c, s = math.cos(yaw_next), math.sin(yaw_next)
        target = np.array([c * cmd[0] - s * cmd[1], s * cmd[0] + c * cmd[1]])
        force = self.spec.mass * (target - self.data.qvel[self._qvel[:2]]) / TIMESTEP
        norm = math.hypot(force[0], force[1])
        if norm > self._max_force:
            force *= self._max_force / norm
        torque = self.spec.yaw_inertia * (cmd[2] - self.data.qvel[self._qvel[2]]) / TIMESTEP
        self.data.qfrc_applied[self._qvel] = (force[0], force[1], min(max(torque, -self._max_torque), self._max_torque))

    def _sensor_world_position(self, mount: Mount) -> np.ndarray:
        body_rot = self.data.xmat[self._body_id].reshape(3, 3)
        return self.data.xpos[self._body_id] + body_rot @ np.asarray(mount.xyz)

    def _move_pedestrians(self, t: float) -> None:
        for track, mocap in zip(self._tracks, self._mocap_ids):
            self.data.mocap_pos[mocap, :2] = track.position(t)

    def _new_contacts(self) -> list[CollisionEvent]:
        """Collision events for obstacles the robot touches now but did not touch a step ago."""
        touching: dict[int, np.ndarray] = {}
        for i in range(self.data.ncon):
            contact = self.data.contact[i]
            g1, g2 = int(contact.geom1), int(contact.geom2)
            if self._geom_id in (g1, g2) and contact.dist <= 0.0:
                touching[g2 if g1 == self._geom_id else g1] = contact.pos
        new = [
            CollisionEvent(self.time, self._labels[g].label, self._labels[g].kind, float(pos[0]), float(pos[1]))
            for g, pos in touching.items()
            if g not in self._touching
        ]
        self._touching = set(touching)
        return new

    def _nearest_obstacle(self) -> tuple[float, int]:
        """Distance from the robot body to the nearest obstacle or pedestrian, and its geom id.

        (inf, -1) when none is within CLEARANCE_RANGE_M; a negative distance is penetration.
        """
        if len(self._obstacle_geoms) == 0:
            return math.inf, -1
        m, d = self.model, self.data
        centre_gap = (
            np.linalg.norm(d.geom_xpos[self._obstacle_geoms] - d.geom_xpos[self._geom_id], axis=1)
            - m.geom_rbound[self._obstacle_geoms]
            - m.geom_rbound[self._geom_id]
        )
        best, nearest = math.inf, -1
        for g in self._obstacle_geoms[centre_gap < CLEARANCE_RANGE_M]:
            dist = mujoco.mj_geomDistance(m, d, self._geom_id, int(g), CLEARANCE_RANGE_M, None)
            if dist < min(best, CLEARANCE_RANGE_M):
                best, nearest = dist, int(g)
        return best, nearest
