"""Scenario files: the shipped ones load; bad ones fail naming the file and the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anynav.sim.errors import ScenarioError
from anynav.sim.scenario import find_scenario, load_scenario, scenario_from_dict

SHIPPED = ("open_field", "street", "plaza")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load_with_waypoints_inside_the_world(name: str) -> None:
    scenario = load_scenario(find_scenario(name))
    assert scenario.name == name
    assert len(scenario.mission.waypoints) == 3
    for x, y in scenario.waypoints_enu():
        assert scenario.world.contains(x, y)


def test_plaza_has_moving_pedestrians_and_street_has_buildings() -> None:
    assert any(p.speed > 0 for p in load_scenario(find_scenario("plaza")).pedestrians)
    assert len(load_scenario(find_scenario("street")).buildings) >= 4


def _error(data: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="bad.yaml")
    return info.value


def test_unknown_top_level_key_is_named(scenario_data: Callable[..., dict[str, Any]]) -> None:
    err = _error(scenario_data(wether="sunny"))
    assert err.key == "wether"
    assert str(err).startswith("bad.yaml: wether: unknown key")


def test_unknown_nested_key_is_named_with_its_path(scenario_data: Callable[..., dict[str, Any]]) -> None:
    err = _error(scenario_data(sensors={"gps": {"noise": 1.0}}))
    assert err.key == "sensors.gps.noise"
    assert "horizontal_noise_std" in err.reason  # the allowed keys are listed


def test_unknown_key_inside_a_list_element_is_named_with_its_index(
    scenario_data: Callable[..., dict[str, Any]],
) -> None:
    err = _error(scenario_data(trees=[{"position": [1, 1]}, {"position": [2, 2], "colour": "green"}]))
    assert err.key == "trees[1].colour"


def test_unknown_robot_names_the_known_ones(scenario_data: Callable[..., dict[str, Any]]) -> None:
    err = _error(scenario_data(robot={"name": "go3"}))
    assert err.key == "robot.name"
    assert "go3" in err.reason and "go2" in err.reason and "wheeled" in err.reason


def test_waypoint_outside_the_world_is_named_with_its_index(scenario_data: Callable[..., dict[str, Any]]) -> None:
    data = scenario_data()
    # 0.001 degrees of longitude at 47.4 N is about 75 m east: outside the 20 m half-width.
    data["mission"]["waypoints"] = [{"latitude": 47.4, "longitude": 8.54}, {"latitude": 47.4, "longitude": 8.541}]
    err = _error(data)
    assert err.key == "mission.waypoints[1]"
    assert "outside the world" in err.reason


def test_out_of_range_value_names_field_and_range(scenario_data: Callable[..., dict[str, Any]]) -> None:
    err = _error(scenario_data(sensors={"gps": {"rate_hz": 0}}))
    assert err.key == "sensors.gps.rate_hz"
    assert "(0, 100]" in err.reason


def test_missing_required_key_is_named(scenario_data: Callable[..., dict[str, Any]]) -> None:
    data = scenario_data()
    del data["datum"]
    assert _error(data).key == "datum"


def test_wrong_types_are_rejected_not_coerced(scenario_data: Callable[..., dict[str, Any]]) -> None:
    assert _error(scenario_data(robot={"x": "3"})).key == "robot.x"
    assert _error(scenario_data(robot={"x": True})).key == "robot.x"
    assert _error(scenario_data(sensors={"camera": {"width": 224.5}})).key == "sensors.camera.width"
    assert _error(scenario_data(world={"ground": "lava"})).key == "world.ground"
    assert _error(scenario_data(walls=[{"start": [0, 0, 0], "end": [1, 1]}])).key == "walls[0].start"


def test_obstacles_and_start_outside_the_world_are_rejected(scenario_data: Callable[..., dict[str, Any]]) -> None:
    assert _error(scenario_data(poles=[{"position": [25, 0]}])).key == "poles[0].position"
    assert _error(scenario_data(pedestrians=[{"path": [[0, 0], [0, 30]]}])).key == "pedestrians[0].path[1]"
    assert _error(scenario_data(robot={"x": 19.9})).key == "robot"


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"broken\.yaml.*not valid YAML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="missing.yaml"):
        load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioError, match="shipped scenarios: .*open_field"):
        find_scenario("no_such_scenario")


def test_yaml_file_errors_carry_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text((Path(find_scenario("open_field"))).read_text().replace("name: go2", "name: spot"))
    with pytest.raises(ScenarioError, match=r"^mine\.yaml: robot\.name: must be one of"):
        load_scenario(path)
