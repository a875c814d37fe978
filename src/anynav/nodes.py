"""Every node executable anynav ships: name → `module:function`.

Read by setup.py (console scripts for `ros2 run anynav <name>_node`) and by `anynav launch`
(`python -m anynav.nodes <name>`), so a node is registered once. Keep this file free of imports.
"""

NODES = {
    "talker": "anynav.examples.talker:main",
    "listener": "anynav.examples.listener:main",
}

if __name__ == "__main__":
    import importlib
    import sys

    if len(sys.argv) < 2 or sys.argv[1] not in NODES:
        sys.stderr.write(f"usage: python -m anynav.nodes NODE [--ros-args ...]; nodes: {', '.join(sorted(NODES))}\n")
        sys.exit(2)
    module_name, function = NODES[sys.argv[1]].split(":")
    getattr(importlib.import_module(module_name), function)(sys.argv[2:])
