"""Chooses MuJoCo's headless OpenGL backend (EGL, else OSMesa); the one place that imports mujoco.

MuJoCo reads ``MUJOCO_GL`` once, when it is first imported, and a broken choice (say
``osmesa`` without libOSMesa) makes ``import mujoco`` itself fail. So the choice is made
here, before the import, by trying each backend in a short-lived child process. Every
simulator module takes ``mujoco`` from this module so the order can never be wrong.

A user who sets ``MUJOCO_GL`` keeps their choice. When no backend can render, physics and
LiDAR still work and :func:`require_rendering` raises an error naming what is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from anynav.sim.errors import RenderBackendError

__all__ = ["BACKENDS", "MUJOCO_GL", "backend_error", "mujoco", "probe", "require_rendering"]

#: Headless backends in order of preference: EGL (GPU or Mesa llvmpipe), then OSMesa.
BACKENDS: tuple[str, ...] = ("egl", "osmesa")

#: What each backend needs, for the error message when none works.
_NEEDS = {
    "egl": "libEGL.so.1 with a Mesa or NVIDIA EGL driver (Debian/Ubuntu: apt install libegl1 libgl1-mesa-dri) "
    "and PyOpenGL",
    "osmesa": "libOSMesa.so (Debian/Ubuntu: apt install libosmesa6) and PyOpenGL",
}

_PROBE_CODE = "import mujoco\nc = mujoco.GLContext(16, 16)\nc.make_current()\nc.free()\n"


def probe(backend: str, timeout_s: float = 60.0) -> str | None:
    """Try to open a GL context with ``backend`` in a child process.

    Returns None when it works, else the last line of the child's error. A child process
    is used because a failed backend cannot be swapped out of a process that imported it.
    """
    env = dict(os.environ, MUJOCO_GL=backend)
    env.pop("PYOPENGL_PLATFORM", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE_CODE], env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return f"no GL context within {timeout_s:.0f} s"
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"child exited with status {proc.returncode}"


def backend_error(failures: Mapping[str, str | None]) -> RenderBackendError:
    """The error for a machine where no backend works: for each, why it failed and what it needs."""
    lines = [f"  {b}: {failures.get(b) or 'not tried'}; needs {_NEEDS[b]}" for b in BACKENDS]
    return RenderBackendError(
        "MuJoCo cannot render headless: neither EGL nor OSMesa works.\n"
        + "\n".join(lines)
        + "\nInstall one of them, or set MUJOCO_GL to a backend that works on this machine."
    )


def _decide() -> tuple[str, RenderBackendError | None]:
    """Return the MUJOCO_GL value to import mujoco with, and the error to raise on render."""
    requested = os.environ.get("MUJOCO_GL", "").strip()
    if requested:
        return requested, None
    failures: dict[str, str | None] = {}
    for backend in BACKENDS:
        failures[backend] = probe(backend)
        if failures[backend] is None:
            return backend, None
    return "disable", backend_error(failures)


MUJOCO_GL, _RENDER_ERROR = _decide()
os.environ["MUJOCO_GL"] = MUJOCO_GL

import mujoco  # noqa: E402  (must follow the MUJOCO_GL decision above)


def require_rendering() -> None:
    """Raise RenderBackendError when this process has no working headless GL backend."""
    if _RENDER_ERROR is not None:
        raise _RENDER_ERROR
