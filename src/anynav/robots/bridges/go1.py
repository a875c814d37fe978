"""bridge_go1: a Unitree Go1 over legged_sdk's high-level UDP protocol (HighCmd/HighState), pure Python.

The Go1 wants a steady HighCmd stream and answers each frame with a HighState, so every
control tick sends one frame: velocity walking while cmd_vel is fresh, the stand frame
otherwise, and reads the replies that arrived since the last tick.
"""

from __future__ import annotations

from typing import Any

from anynav.control.velocity import Velocity
from anynav.robots.bridges.core import RateLimiter, VelocityLimits
from anynav.robots.bridges.node import (
    SHUTDOWN_REPEATS,
    BridgeDefaults,
    BridgeNode,
    StateOutputs,
    choice,
)
from anynav.robots.go1.client import Go1UdpClient, Go1UdpConfig
from anynav.robots.go1.protocol import (
    DEFAULT_ROBOT_HOST,
    DEFAULT_ROBOT_PORT,
    GaitType,
    Go1State,
    HighCmd,
    check_high_cmd,
    damping_cmd,
    stand_cmd,
    velocity_cmd,
)
from anynav.ros import run_node
from anynav.ros.parameters import declare

#: inside the navigation policies' ranges and well inside the Go1 trot limits (vx -1.1..1.5, |wz| 4)
GO1_DEFAULTS = BridgeDefaults(rate_hz=100.0, limits=VelocityLimits(1.0, 0.3, 0.3, 1.0))
GAITS = {
    "trot": GaitType.TROT,
    "trot_running": GaitType.TROT_RUNNING,
    "climb_stair": GaitType.CLIMB_STAIR,
    "trot_obstacle": GaitType.TROT_OBSTACLE,
}
#: most HighState frames read per tick (the robot answers one per HighCmd)
MAX_FRAMES_PER_TICK = 16
RECEIVE_WAIT_S = 1e-4


class Go1Bridge(BridgeNode):
    """HighCmd mode 2 (velocity walking) while cmd_vel is fresh, mode 0 (stand) otherwise, mode 7 to damp."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("bridge_go1", "go1", GO1_DEFAULTS, **kwargs)
        robot_host = declare(self, "robot_host", DEFAULT_ROBOT_HOST, "the Go1's high-level controller")
        robot_port = declare(self, "robot_port", DEFAULT_ROBOT_PORT, "its UDP port (8082)", 1, 65535)
        local_port = declare(
            self, "local_port", 8090, "our UDP port (legged_sdk uses 8090; 0 = any free port)", 0, 65535
        )
        declare(self, "gait", "trot", f"walking gait: {', '.join(GAITS)}")
        self.gait = GAITS[choice(self, "gait", tuple(GAITS))]
        limits = self.gate.limits
        for vx, vy, wz in (
            (limits.max_forward_mps, limits.max_lateral_mps, limits.max_yaw_rate),
            (-limits.max_backward_mps, -limits.max_lateral_mps, -limits.max_yaw_rate),
        ):
            check_high_cmd(velocity_cmd(vx, vy, wz, self.gait))
        self.outputs = StateOutputs(self, joint_names=())
        self._state_due = RateLimiter(self.outputs.rate_hz)
        self.send_errors = 0
        self.battery_percent: float | None = None
        self.client = Go1UdpClient(Go1UdpConfig(robot_host=robot_host, robot_port=robot_port, local_port=local_port))
        self._bad_frames_seen = 0
        self.start_velocity_control()
        host, port = self.client.local_address
        self.get_logger().info(
            f"{self.param('cmd_vel_topic')} -> HighCmd to {robot_host}:{robot_port} at "
            f"{self.rate_hz:g} Hz from {host}:{port}"
        )

    def _send(self, cmd: HighCmd, description: str) -> str:
        try:
            self.client.send(cmd)
        except OSError as err:
            self.send_errors += 1
            self.get_logger().warn(f"HighCmd not sent ({self.send_errors} so far): {err}", throttle_duration_sec=1.0)
            return f"{description} (not sent: {err.strerror})"
        return description

    def on_control_tick(self) -> None:
        self.read_states()
        super().on_control_tick()

    def read_states(self) -> None:
        """Publish the newest HighState that arrived since the last tick; count the bad frames."""
        latest: Go1State | None = None
        for _ in range(MAX_FRAMES_PER_TICK):
            state = self.client.receive(RECEIVE_WAIT_S)
            if state is None:
                break
            latest = state
        stats = self.client.stats
        if stats.bad_frames > self._bad_frames_seen:
            self.rejected_state(f"HighState: {stats.last_error}", stats.bad_frames - self._bad_frames_seen)
            self._bad_frames_seen = stats.bad_frames
        if latest is None:
            return
        now = self.now_ns()
        self.received_state(now)
        self.battery_percent = latest.battery_soc_percent
        if not self._state_due.ready(now):
            return
        self.outputs.odometry(now, latest.position, latest.orientation_xyzw, latest.body_velocity, latest.yaw_rate)
        self.outputs.imu(now, latest.imu)

    def send_move(self, velocity: Velocity) -> str:
        vx, vy, wz = velocity.vx, velocity.vy, velocity.wz
        return self._send(velocity_cmd(vx, vy, wz, self.gait), f"HighCmd(mode 2) vx={vx:.2f} vy={vy:.2f} wz={wz:.2f}")

    def send_stop(self) -> str:
        return self._send(stand_cmd(), "HighCmd(mode 0) stand")

    def send_idle(self) -> None:
        self._send(stand_cmd(), "HighCmd(mode 0) stand")

    def send_damp(self) -> str:
        return self._send(damping_cmd(), "HighCmd(mode 7) damping")

    def send_shutdown(self) -> None:
        """UDP may drop a frame: send the last one a few times."""
        for _ in range(SHUTDOWN_REPEATS):
            super().send_shutdown()

    def diagnostic_values(self, now_ns: int) -> dict[str, object]:
        values = super().diagnostic_values(now_ns)
        stats = self.client.stats
        values.update(
            frames_sent=stats.sent,
            frames_received=stats.received,
            send_errors=self.send_errors,
            battery_percent=self.battery_percent,
        )
        return values

    def publish_diagnostics(self) -> None:
        super().publish_diagnostics()
        if self.battery_percent is not None:
            self.outputs.battery(self.now_ns(), self.battery_percent / 100.0)

    def destroy_node(self) -> None:
        super().destroy_node()
        self.client.close()


def bridge_go1() -> Go1Bridge:
    return Go1Bridge()


def main(args: list[str] | None = None) -> None:
    run_node(bridge_go1, args)
