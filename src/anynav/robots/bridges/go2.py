"""bridge_go2: a Unitree Go2 on DDS; sport Move/StopMove in the velocity mode, LowCmd in the joint mode."""

from __future__ import annotations

from typing import Any

from anynav.control.velocity import Velocity
from anynav.robots.bridges.core import VelocityLimits
from anynav.robots.bridges.lowlevel import GO2_LAYOUT
from anynav.robots.bridges.node import BridgeDefaults
from anynav.robots.bridges.unitree import UnitreeBridge
from anynav.robots.unitree import api
from anynav.ros import run_node

#: inside the trained command range of NaVILA's Go2 policies (vx [0, 1], wz [-1, 1]); slow back/side for teleop
GO2_DEFAULTS = BridgeDefaults(rate_hz=20.0, limits=VelocityLimits(1.0, 0.3, 0.3, 1.0))


class Go2Bridge(UnitreeBridge):
    """Go2 sport service: Move (1008) while cmd_vel is fresh, StopMove (1003) when it goes stale, Damp (1001)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("bridge_go2", "go2", api.SPORT_SERVICE, GO2_LAYOUT, GO2_DEFAULTS, damping_kd=2.0, **kwargs)

    def send_move(self, velocity: Velocity) -> str:
        vx, vy, wz = velocity.vx, velocity.vy, velocity.wz
        return self.call(api.sport_move(vx, vy, wz), f"Move(1008) x={vx:.2f} y={vy:.2f} z={wz:.2f}")

    def send_stop(self) -> str:
        return self.call(api.sport_stop_move(), "StopMove(1003)")

    def send_damp(self) -> str:
        return self.call(api.sport_damp(), "Damp(1001)")


def bridge_go2() -> Go2Bridge:
    return Go2Bridge()


def main(args: list[str] | None = None) -> None:
    run_node(bridge_go2, args)
