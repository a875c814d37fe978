"""ament_python package for anynav; also installs with plain pip (`pip install -e .`)."""

import runpy
from glob import glob
from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = "anynav"

# Node executables (`ros2 run anynav <name>_node`), registered once in src/anynav/nodes.py.
NODES = runpy.run_path(str(Path(__file__).parent / "src/anynav/nodes.py"))["NODES"]

setup(
    name=PACKAGE,
    version="0.1.0",
    description="ROS 2 navigation stack that runs learned navigation policies on board legged robots",
    license="Apache-2.0",
    python_requires=">=3.10",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={PACKAGE: ["msgs/definitions/*/msg/*.msg", "py.typed"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml")),
        (f"share/{PACKAGE}/config/scenarios", glob("config/scenarios/*.yaml")),
        (f"share/{PACKAGE}/config/locomotion", glob("config/locomotion/*.yaml")),
    ],
    install_requires=[
        "numpy>=1.24",
        "pyyaml>=6.0",
        # rosbags' MCAP writer internals are used to close chunks on time (anynav.data.recorder).
        "rosbags>=0.11,<0.12",
        "cyclonedds>=11.0,<12",
        "mcap>=1.6,<2",
        "opencv-python-headless>=4.8",
        "pyproj>=3.6",
        "gpxpy>=1.6",
        "mujoco>=3.2",
        "onnxruntime>=1.17",
        "onnx>=1.15",
    ],
    extras_require={
        # torch must come from the pinned CPU build: pip install -c constraints.txt '.[export]'
        "export": ["torch==2.13.0", "efficientnet-pytorch>=0.7.1"],
        "test": ["pytest>=8", "hypothesis>=6.100", "mcap-ros2-support>=0.6", "ruff>=0.6"],
    },
    entry_points={
        "console_scripts": [
            "anynav = anynav.cli.main:main",
            *(f"{name}_node = {target}" for name, target in NODES.items()),
        ],
    },
)
