"""bridge_h1: a Unitree H1 on DDS; loco SetVelocity with a duration in the velocity mode, LowCmd in the joint mode."""

from __future__ import annotations

from typing import Any

from anynav.control.velocity import Velocity
from anynav.robots.bridges.core import VelocityLimits
from anynav.robots.bridges.lowlevel import H1_LAYOUT
from anynav.robots.bridges.node import BridgeDefaults
from anynav.robots.bridges.unitree import UnitreeBridge
from anynav.robots.unitree import api
from anynav.ros import run_node

#: inside the trained command range of NaVILA's H1 policies (vx [0, 1], wz [-1, 1]); slow back/side for teleop
H1_DEFAULTS = BridgeDefaults(rate_hz=20.0, limits=VelocityLimits(0.8, 0.2, 0.2, 1.0))


class H1Bridge(UnitreeBridge):
    """H1 loco service: SetVelocity (8105) lasting two command periods, so the robot stops by itself if we do.

    Stop is SetVelocity(0, 0, 0); damp is SetFsmId (8101) to the damping state.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("bridge_h1", "h1", api.LOCO_SERVICE, H1_LAYOUT, H1_DEFAULTS, damping_kd=5.0, **kwargs)
        self.duration_s = 2.0 / self.rate_hz

    def send_move(self, velocity: Velocity) -> str:
        vx, vy, wz = velocity.vx, velocity.vy, velocity.wz
        return self.call(
            api.loco_set_velocity(vx, vy, wz, self.duration_s),
            f"SetVelocity(8105) [{vx:.2f}, {vy:.2f}, {wz:.2f}] for {self.duration_s:.2f} s",
        )

    def send_stop(self) -> str:
        return self.call(api.loco_set_velocity(0.0, 0.0, 0.0, self.duration_s), "SetVelocity(8105) stop")

    def send_damp(self) -> str:
        return self.call(api.loco_set_fsm_id(api.H1Fsm.DAMP), "SetFsmId(8101) damp")


def bridge_h1() -> H1Bridge:
    return H1Bridge()


def main(args: list[str] | None = None) -> None:
    run_node(bridge_h1, args)
