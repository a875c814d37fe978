"""The process-wide runtime state of the dds backend: arguments, the DDS participant, shutdown."""

from __future__ import annotations

import os
import sys
import threading

from cyclonedds.core import GuardCondition
from cyclonedds.domain import Domain, DomainParticipant

from anynav.ros.errors import BackendError
from anynav.ros.params import RosArgs, parse_ros_args

MAX_DOMAIN_ID = 232


def domain_id_from_env() -> int:
    raw = os.environ.get("ROS_DOMAIN_ID", "0").strip() or "0"
    try:
        domain_id = int(raw)
    except ValueError:
        raise BackendError(f"ROS_DOMAIN_ID={raw!r} is not an integer (allowed 0..{MAX_DOMAIN_ID})") from None
    if not 0 <= domain_id <= MAX_DOMAIN_ID:
        raise BackendError(f"ROS_DOMAIN_ID={domain_id} is outside the allowed range 0..{MAX_DOMAIN_ID}")
    return domain_id


def interface_config(interface: str) -> str:
    """Cyclone XML that binds DDS to one network interface (a robot's wired LAN, `lo` for tests)."""
    return (
        "<CycloneDDS><Domain id='any'><General><Interfaces>"
        f"<NetworkInterface name='{interface}' priority='default' multicast='default'/>"
        "</Interfaces></General></Domain></CycloneDDS>"
    )


class Context:
    """What rclpy calls a context: init/ok/shutdown, plus the one DDS participant of the process."""

    def __init__(self) -> None:
        self.ros_args = RosArgs()
        self.user_args: list[str] = []
        self._ok = False
        self._lock = threading.Lock()
        self._domain: Domain | None = None
        self._participant: DomainParticipant | None = None
        self._guards: list[GuardCondition] = []
        self._shutdown_callbacks: list = []

    def init(self, args: list[str] | None = None) -> None:
        argv = list(sys.argv[1:] if args is None else args)
        self.ros_args, self.user_args = parse_ros_args(argv)
        self._ok = True

    def ok(self) -> bool:
        return self._ok

    def shutdown(self) -> None:
        self._ok = False
        for guard in self._guards:
            guard.set(True)

    def participant(self, network_interface: str = "") -> DomainParticipant:
        """The process's DomainParticipant, created on first use on ROS_DOMAIN_ID.

        ``network_interface`` (or ANYNAV_NETWORK_INTERFACE) binds DDS to that interface;
        otherwise CYCLONEDDS_URI, if set, configures Cyclone as usual.
        """
        with self._lock:
            if self._participant is None:
                domain_id = domain_id_from_env()
                interface = network_interface or os.environ.get("ANYNAV_NETWORK_INTERFACE", "")
                if interface:
                    self._domain = Domain(domain_id, interface_config(interface))
                self._participant = DomainParticipant(domain_id)
            return self._participant

    def new_guard(self) -> GuardCondition:
        guard = GuardCondition(self.participant())
        self._guards.append(guard)
        if not self._ok:
            guard.set(True)
        return guard


default_context = Context()
