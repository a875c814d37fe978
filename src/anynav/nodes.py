"""Every node executable anynav ships: name → `module:function`.

Read by setup.py (console scripts for `ros2 run anynav <name>_node`) and by `anynav launch`
(`python -m anynav.nodes <name>`), so a node is registered once. Keep this file free of imports.
"""

NODES = {
    # examples
    "talker": "anynav.examples.talker:main",
    "listener": "anynav.examples.listener:main",
    # simulation
    "sim": "anynav.sim.node:main",
    "sim_driver": "anynav.sim.driver_node:main",
    # GPS navigation with learned policies
    "mission": "anynav.mission.node:main",
    "policy": "anynav.policy.node:main",
    "follower": "anynav.control.follower_node:main",
    "mux": "anynav.control.mux_node:main",
    # language navigation
    "vla": "anynav.language.vla_node:main",
    "executor": "anynav.language.executor_node:main",
    # legged robots
    "heightmap": "anynav.perception.heightmap_node:main",
    "locomotion": "anynav.locomotion.node:main",
    "bridge_go2": "anynav.robots.bridges.go2:main",
    "bridge_h1": "anynav.robots.bridges.h1:main",
    "bridge_t1": "anynav.robots.bridges.t1:main",
    "bridge_go1": "anynav.robots.bridges.go1:main",
    # robot emulators (test doubles speaking the vendor protocols)
    "go2_emulator": "anynav.robots.emulators.unitree_node:main_go2",
    "h1_emulator": "anynav.robots.emulators.unitree_node:main_h1",
    "t1_emulator": "anynav.robots.emulators.booster_node:main",
    "go1_emulator": "anynav.robots.emulators.go1_node:main",
}

if __name__ == "__main__":
    import importlib
    import sys

    if len(sys.argv) < 2 or sys.argv[1] not in NODES:
        sys.stderr.write(f"usage: python -m anynav.nodes NODE [--ros-args ...]; nodes: {', '.join(sorted(NODES))}\n")
        sys.exit(2)
    module_name, function = NODES[sys.argv[1]].split(":")
    getattr(importlib.import_module(module_name), function)(sys.argv[2:])
