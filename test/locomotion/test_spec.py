"""The shipped locomotion specs match navila.md §4, and bad specs fail naming the field and file."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from locomotion_helpers import CONFIG_DIR

from anynav.locomotion.errors import SpecError
from anynav.locomotion.spec import load_spec, spec_from_dict


def test_go2_vision_layout_matches_the_reference(go2_spec) -> None:
    assert go2_spec.observation_size == 909
    expected = {
        "base_ang_vel": (0, 3),
        "base_rpy": (3, 6),
        "velocity_commands": (6, 9),
        "joint_pos_rel": (9, 21),
        "joint_vel_rel": (21, 33),
        "last_action": (33, 45),
        "height_map": (45, 504),
    }
    assert {name: (s.start, s.stop) for name, s in go2_spec.slices.items()} == expected
    assert (go2_spec.history_slice.start, go2_spec.history_slice.stop) == (504, 909)
    assert go2_spec.history.length == 9
    assert [j.sdk_index for j in go2_spec.joints] == [3, 0, 9, 6, 4, 1, 10, 7, 5, 2, 11, 8]
    assert go2_spec.action.scale == 0.25 and go2_spec.action.clip == 20.0
    assert {(j.kp, j.kd) for j in go2_spec.joints} == {(40.0, 1.0)}
    assert go2_spec.term("height_map").clip == (-10.0, 10.0)


def test_h1_vision_layout_matches_the_reference(h1_spec) -> None:
    assert h1_spec.observation_size == 256
    assert (h1_spec.slices["base_lin_vel"].start, h1_spec.slices["height_map"].start) == (0, 69)
    assert h1_spec.slices["height_map"].stop == 256 and h1_spec.history.length == 0
    assert len(h1_spec.joints) == 19 and h1_spec.action.scale == 0.5
    assert sorted(j.sdk_index for j in h1_spec.joints) == [i for i in range(20) if i != 9]
    knee = next(j for j in h1_spec.joints if j.name == "left_knee")
    assert (knee.sdk_index, knee.default, knee.kp, knee.kd) == (5, 0.79, 200.0, 5.0)


@pytest.mark.parametrize(("name", "size"), [("go2_blind", 450), ("h1_blind", 69)])
def test_blind_specs_load(name: str, size: int) -> None:
    spec = load_spec(CONFIG_DIR / f"{name}.yaml")
    assert spec.observation_size == size and spec.term("height_map") is None


@pytest.fixture
def go2_data() -> dict:
    return yaml.safe_load((CONFIG_DIR / "go2_vision.yaml").read_text())


def _error(data: dict) -> SpecError:
    with pytest.raises(SpecError) as info:
        spec_from_dict(data, "go2_test.yaml")
    return info.value


def test_wrong_joint_count_names_the_field(go2_data) -> None:
    go2_data["joints"].pop()
    error = _error(go2_data)
    assert error.field == "joints" and "11 joints" in str(error) and "action.size is 12" in str(error)
    assert str(error).startswith("go2_test.yaml: ")


def test_unknown_term_names_the_field(go2_data) -> None:
    go2_data["observation"]["terms"].insert(2, "foot_contacts")
    error = _error(go2_data)
    assert error.field == "observation.terms[2].name" and "foot_contacts" in str(error)


def test_kp_out_of_range_names_the_joint_field(go2_data) -> None:
    go2_data["joints"][3]["kp"] = 900.0
    error = _error(go2_data)
    assert error.field == "joints[3].kp" and "[0.0, 500.0]" in str(error)


def test_observation_size_that_does_not_add_up(go2_data) -> None:
    go2_data["observation"]["size"] = 910
    error = _error(go2_data)
    assert error.field == "observation.size" and "909" in str(error) and "history 9×45" in str(error)


@pytest.mark.parametrize(
    ("mutate", "field", "text"),
    [
        (lambda d: d.__setitem__("gains", {}), "gains", "unknown key"),
        (lambda d: d["joints"][0].__setitem__("torque", 1.0), "joints[0].torque", "unknown key"),
        (lambda d: d["joints"][1].__setitem__("sdk_index", 3), "joints[1].sdk_index", "already used by FL_hip_joint"),
        (lambda d: d["joints"][1].__setitem__("sdk_index", 20), "joints[1].sdk_index", "sdk_motor_count"),
        (lambda d: d["joints"][2].__setitem__("default", 2.0), "joints[2].default", "outside"),
        (lambda d: d["joints"][2].pop("kd"), "joints[2].kd", "missing"),
        (
            lambda d: d["observation"]["history"]["terms"].append("base_lin_vel"),
            "observation.history.terms",
            "not one of",
        ),
        (lambda d: d.__setitem__("height_map", "go1_depth"), "height_map", "go2_lidar"),
        (lambda d: d["action"].__setitem__("scale", 0.0), "action.scale", "outside"),
        (lambda d: d["commands"].__setitem__("vx", [0.2, 1.0]), "commands.vx", "contain 0"),
        (lambda d: d["observation"]["terms"].append("base_rpy"), "observation.terms[7].name", "twice"),
    ],
)
def test_other_bad_fields_are_named(go2_data, mutate, field: str, text: str) -> None:
    mutate(go2_data)
    error = _error(go2_data)
    assert error.field == field and text in str(error)


def test_errors_from_a_file_name_the_file(go2_data, tmp_path: Path) -> None:
    bad = copy.deepcopy(go2_data)
    bad["joints"][0]["kd"] = -1.0
    path = tmp_path / "go2_bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(SpecError, match=r"go2_bad\.yaml: joints\[0\]\.kd"):
        load_spec(path)
    path.write_text("robot: [unclosed")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(path)
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")
