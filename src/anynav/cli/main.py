"""`anynav <verb>`: one command for the runtime tools and every feature's jobs.

Each verb lives in its feature's `cli.py` (add_arguments/run) and is imported only when used,
so `anynav topic` never pays for torch or MuJoCo.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from anynav import __version__

VERBS: dict[str, tuple[str, str]] = {
    "topic": ("anynav.ros.topic_cli", "list, echo, publish and measure ROS 2 topics without ROS 2"),
    "launch": ("anynav.ros.launcher", "start every node of a robot's params file"),
    "sim": ("anynav.sim.cli", "run a scenario's mission in the MuJoCo simulator, record it, summarise it"),
    "record": ("anynav.data.cli", "record ROS 2 topics into a rosbag2 MCAP bag"),
    "mission": ("anynav.mission.cli", "show, check and convert GPS waypoint files"),
    "export": ("anynav.policy.cli", "export LogoNav or CityWalker to ONNX (encoder + head) with a model card"),
    "instruct": ("anynav.language.instruct_cli", "send a language instruction to the running VLA node"),
    "vla-test-server": ("anynav.language.cli", "a scripted NaVILA/OpenAI-compatible server for tests and demos"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="anynav", description="anynav: learned navigation policies on board.")
    parser.add_argument("--version", action="version", version=f"anynav {__version__}")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    wanted = argv[0] if argv else None
    for verb, (module, help_text) in VERBS.items():
        verb_parser = sub.add_parser(verb, help=help_text, description=help_text)
        verb_parser.set_defaults(module=module)
        if verb == wanted:
            importlib.import_module(module).add_arguments(verb_parser)
    args = parser.parse_args(argv)
    return int(importlib.import_module(args.module).run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
