"""Export writes an encoder and a head graph that match torch, a model card, and a CLI around it."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from policy_helpers import SMALL_CITYWALKER, Exported, random_images

from anynav.policy import Frame, Goal, PolicyRuntime, cli
from anynav.policy.card import CARD_FILE, load_card
from anynav.policy.errors import ModelCardError

TOLERANCE = 1e-4


def _session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("fixture", ["logonav_small", "citywalker_small"])
def test_export_writes_two_graphs_that_match_torch(fixture: str, request: pytest.FixtureRequest) -> None:
    exported: Exported = request.getfixturevalue(fixture)
    card = load_card(exported.directory)
    config = card.config
    rng = np.random.default_rng(7)
    frames = rng.random((3, 3, config.image_height, config.image_width), dtype=np.float32)
    (embedding,) = _session(exported.directory / "encoder.onnx").run(None, {"image": frames})
    with torch.no_grad():
        expected = exported.net.encode(torch.from_numpy(frames)).numpy()
    assert embedding.shape == expected.shape
    assert np.max(np.abs(embedding - expected)) < TOLERANCE

    head = _session(exported.directory / "head.onnx")
    obs = rng.normal(size=(2, config.context_frames, expected.shape[1])).astype(np.float32)
    goal_shape = [2, *card.graphs["head"]["inputs"][head.get_inputs()[1].name][1:]]
    goal = rng.normal(0.0, 3.0, size=goal_shape).astype(np.float32)
    got = head.run(None, {head.get_inputs()[0].name: obs, head.get_inputs()[1].name: goal})
    with torch.no_grad():
        want = exported.net.head(torch.from_numpy(obs), torch.from_numpy(goal))
    want = want if isinstance(want, tuple) else (want,)
    for g, w in zip(got, want):
        assert np.max(np.abs(g - w.numpy())) < TOLERANCE

    assert card.source_sha256 == hashlib.sha256(exported.checkpoint.read_bytes()).hexdigest()
    assert card.source_checkpoint == exported.checkpoint.name
    assert set(card.max_abs_diff) == {"encoder", "head", "end_to_end"}
    assert all(0.0 <= diff < TOLERANCE for diff in card.max_abs_diff.values())


def test_citywalker_card_records_sizes_context_and_frames(citywalker_small: Exported) -> None:
    data = json.loads((citywalker_small.directory / CARD_FILE).read_text())
    assert data["model"] == "citywalker"
    assert data["config"]["image_height"] == SMALL_CITYWALKER.image_height
    assert data["config"]["context_frames"] == 5 and data["config"]["context_spacing_s"] == 1.0
    assert data["export"]["opset"] == 17
    assert data["graphs"]["encoder"]["inputs"] == {"image": [-1, 3, 56, 98]}
    assert data["graphs"]["head"]["inputs"] == {"obs_embeddings": [-1, 5, 64], "coords": [-1, 6, 2]}
    assert data["graphs"]["head"]["outputs"] == {"waypoints": [-1, 5, 2], "arrival_logit": [-1, 1]}
    assert "x right, y forward" in data["frames"]["coords"]


def test_card_with_an_unknown_key_names_key_and_file(citywalker_small: Exported, tmp_path: Path) -> None:
    data = json.loads((citywalker_small.directory / CARD_FILE).read_text())
    data["config"]["step_scale"] = 0.8
    (tmp_path / CARD_FILE).write_text(json.dumps(data))
    with pytest.raises(ModelCardError, match=rf"{tmp_path / CARD_FILE}.*unknown key\(s\) step_scale"):
        load_card(tmp_path)


@pytest.fixture(scope="module")
def logonav_full_random(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Full-size LogoNav exported by the CLI with random weights (one export per test module)."""
    out = tmp_path_factory.mktemp("logonav_full") / "export"
    args = argparse.Namespace(model="logonav", checkpoint=None, random_init=True, out=str(out), opset=17)
    assert cli.run(args) == 0
    return out


def test_cli_random_init_export_of_full_size_logonav(logonav_full_random: Path) -> None:
    card = load_card(logonav_full_random)
    assert card.source_sha256 == "random-init" and card.source_checkpoint is None
    assert card.graphs["encoder"]["inputs"] == {"image": [-1, 3, 96, 96]}
    assert card.graphs["encoder"]["outputs"] == {"embedding": [-1, 1024]}
    assert card.graphs["head"]["inputs"] == {"obs_embeddings": [-1, 6, 1024], "goal": [-1, 4]}
    assert card.graphs["head"]["outputs"] == {"waypoints": [-1, 8, 4]}
    assert card.config.context_spacing_s == 0.3
    assert all(diff < TOLERANCE for diff in card.max_abs_diff.values())


def test_full_size_logonav_runs_with_the_cache(logonav_full_random: Path) -> None:
    runtime = PolicyRuntime(logonav_full_random)
    images = random_images(7, 480, 640, seed=9)
    ticks = [[Frame(3 * (t + k) * 10**8, images[t + k]) for k in range(6)] for t in range(2)]
    plans = [runtime.plan(frames, Goal(12.0, -5.0, -0.3)) for frames in ticks]
    assert [plan.frames_encoded for plan in plans] == [6, 1]
    assert plans[1].waypoints.shape == (8, 2) and plans[1].yaws.shape == (8,)
    assert np.isfinite(plans[1].waypoints).all()


def test_cli_reports_a_checkpoint_that_does_not_fit(
    logonav_small: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(
        model="logonav", checkpoint=str(logonav_small.checkpoint), random_init=False, out=str(tmp_path), opset=17
    )
    assert cli.run(args) == 1
    err = capsys.readouterr().err
    assert "shape mismatch compress_obs_enc.weight: model [1024, 1280], checkpoint [64, 1280]" in err
    assert not (tmp_path / CARD_FILE).exists()


def test_cli_rejects_an_opset_the_exporter_cannot_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(model="citywalker", checkpoint=None, random_init=True, out=str(tmp_path), opset=13)
    assert cli.run(args) == 1
    assert "opset=13: expected an integer in [14, 20]" in capsys.readouterr().err


def test_cli_arguments() -> None:
    parser = argparse.ArgumentParser(prog="anynav export")
    cli.add_arguments(parser)
    args = parser.parse_args(["citywalker", "--checkpoint", "w.ckpt", "--out", "d", "--opset", "18"])
    assert (args.model, args.checkpoint, args.random_init, args.out, args.opset) == (
        "citywalker",
        "w.ckpt",
        False,
        "d",
        18,
    )
    for bad in (["logonav", "--out", "d"], ["logonav", "--random-init", "--checkpoint", "w", "--out", "d"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
