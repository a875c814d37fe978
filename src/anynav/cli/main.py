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
    if argv and argv[0] in VERBS:
        module_name, help_text = VERBS[argv[0]]
        module = importlib.import_module(module_name)
        verb_parser = argparse.ArgumentParser(prog=f"anynav {argv[0]}", description=help_text)
        module.add_arguments(verb_parser)
        if verb_parser._subparsers is None:  # noqa: SLF001 - argparse has no public check
            # Options may come after the positionals: `anynav sim open_field --out X node.p:=v`.
            args = verb_parser.parse_intermixed_args(argv[1:])
        else:
            args = verb_parser.parse_args(argv[1:])
        return int(module.run(args) or 0)
    parser = argparse.ArgumentParser(prog="anynav", description="anynav: learned navigation policies on board.")
    parser.add_argument("--version", action="version", version=f"anynav {__version__}")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb, (_module, help_text) in VERBS.items():
        sub.add_parser(verb, help=help_text)
    parser.parse_args(argv)
    return 2


if __name__ == "__main__":
    sys.exit(main())
