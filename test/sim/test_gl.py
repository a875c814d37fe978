"""Headless GL backend selection: EGL works here; a machine with neither gets a clear error."""

from __future__ import annotations

from anynav.sim import gl


def test_egl_probe_succeeds_on_this_machine() -> None:
    assert gl.probe("egl") is None


def test_probe_reports_why_a_backend_fails() -> None:
    reason = gl.probe("no-such-backend")
    assert reason is not None and "MUJOCO_GL" in reason


def test_error_names_every_backend_and_what_it_needs() -> None:
    message = str(
        gl.backend_error({"egl": "libEGL.so.1: cannot open shared object file", "osmesa": "libOSMesa.so.8 missing"})
    )
    assert "libEGL.so.1: cannot open shared object file" in message
    assert "apt install libegl1" in message and "apt install libosmesa6" in message
    assert "MUJOCO_GL" in message
