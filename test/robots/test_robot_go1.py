"""Go1 UDP: HighCmd/HighState layouts against ctypes, CRC against the plain loop, a real-socket round trip."""

from __future__ import annotations

import ctypes
import socket
import time

import numpy as np
import pytest
from unitree_reference import Go1HighCmd, Go1HighState, struct_crc_reference

from anynav.robots.emulators.go1_udp import (
    Go1Emulator,
    Go1EmulatorConfig,
    Go1UdpEmulator,
)
from anynav.robots.errors import (
    ConfigError,
    CrcMismatchError,
    FieldError,
    FrameError,
    NonFiniteValueError,
)
from anynav.robots.go1.client import Go1UdpClient, Go1UdpConfig
from anynav.robots.go1.protocol import (
    HIGH_CMD,
    HIGH_STATE,
    GaitType,
    HighCmd,
    Mode,
    damping_cmd,
    empty_high_state,
    pack_high_cmd,
    parse_high_cmd,
    parse_high_state,
    stand_cmd,
    velocity_cmd,
)
from anynav.robots.records import sign


def test_sizes_match_legged_sdk() -> None:
    assert HIGH_CMD.itemsize == ctypes.sizeof(Go1HighCmd) == 129
    assert HIGH_STATE.itemsize == ctypes.sizeof(Go1HighState) == 1087


def test_high_cmd_bytes_match_ctypes_and_the_crc_loop() -> None:
    cmd = HighCmd(
        mode=Mode.VELOCITY_WALK,
        gait_type=GaitType.TROT,
        speed_level=1,
        foot_raise_height=-0.02,
        body_height=0.01,
        euler=(0.1, -0.2, 0.3),
        velocity=(0.8, -0.3),
        yaw_speed=1.25,
        led=((1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12)),
    )
    frame = pack_high_cmd(cmd)
    expected = Go1HighCmd()
    expected.head[:] = [0xFE, 0xEF]
    expected.levelFlag = 0xEE
    expected.mode, expected.gaitType, expected.speedLevel = 2, 1, 1
    expected.footRaiseHeight, expected.bodyHeight = -0.02, 0.01
    expected.euler[:] = [0.1, -0.2, 0.3]
    expected.velocity[:] = [0.8, -0.3]
    expected.yawSpeed = 1.25
    for led, rgb in zip(expected.led, cmd.led):
        led.r, led.g, led.b = rgb
    expected.crc = struct_crc_reference(bytes(expected))
    assert frame == bytes(expected)
    assert parse_high_cmd(frame) == HighCmd(
        **{
            **cmd.__dict__,
            "foot_raise_height": float(np.float32(-0.02)),
            "body_height": float(np.float32(0.01)),
            "euler": tuple(float(v) for v in np.float32([0.1, -0.2, 0.3])),
            "velocity": tuple(float(v) for v in np.float32([0.8, -0.3])),
        }
    )


def test_high_state_crc_and_layout() -> None:
    record = empty_high_state()
    record[0]["position"] = (1.0, 2.0, 0.0)
    record[0]["imu"]["quaternion"] = (1.0, 0.0, 0.0, 0.0)
    record[0]["velocity"] = (0.3, 0.0, 0.0)
    sign(record)
    frame = record.tobytes()
    reference = Go1HighState.from_buffer_copy(frame)
    assert list(reference.position) == [1.0, 2.0, 0.0] and reference.levelFlag == 0xEE
    assert reference.crc == struct_crc_reference(frame)
    state = parse_high_state(frame)
    np.testing.assert_allclose(state.body_velocity, [0.3, 0.0, 0.0])
    np.testing.assert_allclose(state.orientation_xyzw, [0, 0, 0, 1])


def test_high_cmd_checks() -> None:
    with pytest.raises(NonFiniteValueError, match=r"velocity\[0\]"):
        pack_high_cmd(velocity_cmd(float("nan"), 0.0, 0.0))
    with pytest.raises(FieldError, match=r"velocity\[0\]"):
        pack_high_cmd(velocity_cmd(1.6, 0.0, 0.0))
    with pytest.raises(FieldError, match="yaw_speed"):
        pack_high_cmd(velocity_cmd(0.1, 0.0, 1.0, gait=GaitType.CLIMB_STAIR))
    assert len(pack_high_cmd(velocity_cmd(3.0, 0.0, 0.0, gait=GaitType.TROT_RUNNING))) == 129
    with pytest.raises(FieldError, match="mode"):
        pack_high_cmd(HighCmd(mode=12))
    with pytest.raises(FieldError, match="body_height"):
        pack_high_cmd(HighCmd(body_height=0.2))
    with pytest.raises(FieldError, match=r"euler\[2\]"):
        pack_high_cmd(HighCmd(mode=Mode.FORCE_STAND, euler=(0.0, 0.0, 0.7)))
    assert parse_high_cmd(pack_high_cmd(damping_cmd())).mode == Mode.DAMPING
    assert parse_high_cmd(pack_high_cmd(stand_cmd())).mode == Mode.IDLE


def test_frame_checks() -> None:
    frame = bytearray(pack_high_cmd(velocity_cmd(0.2, 0.0, 0.0)))
    with pytest.raises(FrameError, match="expected 129 bytes"):
        parse_high_cmd(bytes(frame[:-1]))
    bad_crc = bytearray(frame)
    bad_crc[-2] ^= 0x01
    with pytest.raises(CrcMismatchError, match="HighCmd"):
        parse_high_cmd(bytes(bad_crc))
    bad_level = bytearray(frame)
    bad_level[2] = 0xFF
    with pytest.raises(FrameError, match="level flag"):
        parse_high_cmd(bytes(bad_level))


def test_configs_reject_bad_values() -> None:
    with pytest.raises(ConfigError, match="robot_host"):
        Go1UdpConfig(robot_host="go1.local")
    with pytest.raises(ConfigError, match="robot_port"):
        Go1UdpConfig(robot_port=0)
    with pytest.raises(ConfigError, match="max_run_s"):
        Go1EmulatorConfig(max_run_s=0)


def _client(emulator: Go1UdpEmulator) -> Go1UdpClient:
    host, port = emulator.address
    return Go1UdpClient(Go1UdpConfig(robot_host=host, robot_port=port, local_host="127.0.0.1", local_port=0))


def test_round_trip_through_real_udp_sockets() -> None:
    with (
        Go1UdpEmulator(Go1EmulatorConfig(max_run_s=10.0)) as emulator,
        _client(emulator) as client,
    ):
        start = time.monotonic()
        state = None
        while time.monotonic() - start < 0.5:
            client.send(velocity_cmd(0.4, 0.0, 0.0))
            state = client.receive(timeout_s=0.5)
            assert state is not None
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        assert state is not None and state.mode == Mode.VELOCITY_WALK
        np.testing.assert_allclose(state.body_velocity, [0.4, 0.0, 0.0], atol=1e-6)
        assert 0.4 * (elapsed - 0.1) < state.position[0] <= 0.4 * elapsed + 1e-6
        assert emulator.robot.good_frames == client.stats.received == client.stats.sent
        assert sum(emulator.robot.bad_frames.values()) == 0


def test_emulator_drops_bad_frames_and_counts_them() -> None:
    with Go1UdpEmulator(Go1EmulatorConfig(max_run_s=10.0)) as emulator:
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        raw.bind(("127.0.0.1", 0))
        frame = bytearray(pack_high_cmd(velocity_cmd(0.2, 0.0, 0.0)))
        frame[-1] ^= 0xFF
        out_of_range = np.frombuffer(pack_high_cmd(velocity_cmd(0.2, 0.0, 0.0)), dtype=HIGH_CMD).copy()
        out_of_range["velocity"] = (5.0, 0.0)
        sign(out_of_range)
        raw.settimeout(0.15)
        for bad in (
            bytes(frame),
            b"\xfe\xef" + bytes(127),
            out_of_range.tobytes(),
            bytes(128),
        ):
            raw.sendto(bad, emulator.address)
            with pytest.raises(TimeoutError):
                raw.recvfrom(2048)
        assert emulator.robot.bad_frames == {
            "crc": 1,
            "level_flag": 1,
            "field velocity[0]": 1,
            "length": 1,
        }
        raw.sendto(pack_high_cmd(velocity_cmd(0.2, 0.0, 0.0)), emulator.address)
        reply, _ = raw.recvfrom(2048)
        assert parse_high_state(reply).mode == Mode.VELOCITY_WALK
        raw.close()


def test_client_skips_corrupt_state_frames() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    host, port = server.getsockname()
    with Go1UdpClient(Go1UdpConfig(robot_host=host, robot_port=port, local_host="127.0.0.1", local_port=0)) as client:
        good = Go1Emulator(Go1EmulatorConfig()).high_state()
        corrupt = bytearray(good)
        corrupt[100] ^= 0x04
        server.sendto(bytes(corrupt), client.local_address)
        server.sendto(good, client.local_address)
        assert client.receive(timeout_s=1.0) is not None
        assert client.stats.bad_frames == 1 and "crc" in client.stats.last_error
        assert client.receive(timeout_s=0.05) is None
    server.close()


def test_emulator_stops_by_itself() -> None:
    emulator = Go1UdpEmulator(Go1EmulatorConfig(max_run_s=0.2)).start()
    emulator._thread.join(timeout=2.0)
    assert not emulator._thread.is_alive()
    emulator.stop()


def test_emulator_integrates_only_while_walking() -> None:
    robot = Go1Emulator(Go1EmulatorConfig())
    robot.handle(pack_high_cmd(velocity_cmd(1.0, 0.0, 0.0)), 0.0)
    robot.handle(pack_high_cmd(velocity_cmd(1.0, 0.0, 0.0)), 0.1)
    robot.handle(pack_high_cmd(stand_cmd()), 0.2)
    robot.handle(pack_high_cmd(stand_cmd()), 5.0)
    assert robot.pose.x == pytest.approx(0.2)
    robot.handle(pack_high_cmd(velocity_cmd(1.0, 0.0, 0.0)), 6.0)
    robot.handle(pack_high_cmd(velocity_cmd(1.0, 0.0, 0.0)), 60.0)  # a stale link drives at most MAX_HOLD_S
    assert robot.pose.x == pytest.approx(0.4)
