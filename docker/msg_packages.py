"""Make ROS 2 interface packages (ament_cmake + rosidl) from anynav's .msg files, for colcon.

The dds backend reads src/anynav/msgs/definitions/<pkg>/msg/*.msg at run time; the rclpy
backend needs those types built as real ROS 2 packages (unitree_go, unitree_hg,
unitree_api, booster_msgs, booster_interface, anynav_msgs). This writes one package per
folder, with its dependencies read from the field types, so one copy of each .msg exists.

    python3 docker/msg_packages.py OUT_DIR [--skip unitree_go,unitree_hg,unitree_api]

Skip the Unitree packages when unitree_ros2's own are in the workspace already.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parents[1] / "src" / "anynav" / "msgs" / "definitions"
_FIELD_TYPE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_/]*)")

PACKAGE_XML = """<?xml version="1.0"?>
<?xml-model href="http://download.ros.org/schema/package_format3.xsd" schematypens="http://www.w3.org/2001/XMLSchema"?>
<package format="3">
  <name>{name}</name>
  <version>0.1.0</version>
  <description>{name} messages, generated from anynav's src/anynav/msgs/definitions/{name}</description>
  <maintainer email="anynav@users.noreply.github.com">anynav</maintainer>
  <license>Apache-2.0</license>
  <buildtool_depend>ament_cmake</buildtool_depend>
  <buildtool_depend>rosidl_default_generators</buildtool_depend>
{depends}  <exec_depend>rosidl_default_runtime</exec_depend>
  <member_of_group>rosidl_interface_packages</member_of_group>
  <export>
    <build_type>ament_cmake</build_type>
  </export>
</package>
"""

CMAKELISTS = """cmake_minimum_required(VERSION 3.8)
project({name})
find_package(ament_cmake REQUIRED)
find_package(rosidl_default_generators REQUIRED)
{find_packages}rosidl_generate_interfaces(${{PROJECT_NAME}}
{files}{dependencies})
ament_export_dependencies(rosidl_default_runtime)
ament_package()
"""


def dependencies(msg_dir: Path) -> list[str]:
    """Other packages whose types the messages use (``pkg/Type`` field types)."""
    found = set()
    for path in msg_dir.glob("*.msg"):
        for line in path.read_text().splitlines():
            match = _FIELD_TYPE.match(line.split("#", 1)[0])
            if match and "/" in match.group(1):
                found.add(match.group(1).split("/", 1)[0])
    return sorted(found - {msg_dir.parent.name})


def write_package(source: Path, out: Path) -> Path:
    """OUT/<pkg>/ with package.xml, CMakeLists.txt and a copy of msg/*.msg."""
    name = source.name
    msg_dir = source / "msg"
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(msg_dir, target / "msg")
    deps = dependencies(msg_dir)
    messages = sorted(p.name for p in msg_dir.glob("*.msg"))
    (target / "package.xml").write_text(
        PACKAGE_XML.format(name=name, depends="".join(f"  <depend>{d}</depend>\n" for d in deps))
    )
    (target / "CMakeLists.txt").write_text(
        CMAKELISTS.format(
            name=name,
            find_packages="".join(f"find_package({d} REQUIRED)\n" for d in deps),
            files="".join(f'  "msg/{m}"\n' for m in messages),
            dependencies=f"  DEPENDENCIES {' '.join(deps)}\n" if deps else "",
        )
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the packages into (e.g. a colcon src/)")
    parser.add_argument("--skip", default="", help="comma-separated packages not to write")
    args = parser.parse_args(argv)
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    sources = sorted(p for p in DEFINITIONS.iterdir() if (p / "msg").is_dir())
    unknown = skip - {p.name for p in sources}
    if unknown:
        print(f"--skip: no such package(s) {sorted(unknown)}; packages: {[p.name for p in sources]}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for source in sources:
        if source.name not in skip:
            print(f"wrote {write_package(source, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
