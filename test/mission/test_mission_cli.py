"""`anynav mission show|check|convert` and the route picture, as a field tester would run them."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import pytest

from anynav.mission import cli, load_mission, render_route
from anynav.mission.render import nice_length


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="anynav mission")
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(list(argv)))


def test_show_phone_gpx_in_one_command(phone_gpx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "route.png"
    assert run("show", str(phone_gpx), "--png", str(png), "--track", str(phone_gpx)) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line[:3].strip().isdigit()]
    assert [row[0] for row in rows] == ["0", "1", "2", "3", "4"]
    assert rows[1][1:3] == ["Library", "corner"]
    assert rows[0][-2:] == ["0.00", "0.00"]  # first leg and running total
    assert float(rows[-1][-1]) == pytest.approx(sum(float(row[-2]) for row in rows), abs=0.02)
    assert "route length 341.2 m" in out and "UTM 32N" in out
    image = cv2.imread(str(png))
    assert image.shape == (800, 800, 3)


def test_check_good_file_exits_zero(phone_gpx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", str(phone_gpx)) == 0
    assert capsys.readouterr().out.startswith(f"ok: {phone_gpx}: 5 waypoints (gpx)")


def test_check_malformed_file_exits_nonzero_with_where_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("lat,lon\n48.1,11.5\n48.2,eleven\n")
    assert run("check", str(path)) == 1
    assert capsys.readouterr().err.strip() == f"error: {path}: line 3, column 2: lon='eleven' is not a number"


def test_check_refuses_far_waypoints_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "far.csv"
    path.write_text("lat,lon\n48.1,11.5\n48.13,11.5\n")  # 3.3 km north
    assert run("check", str(path)) == 1
    assert "waypoint 1 is 3336 m from the datum" in capsys.readouterr().err
    assert run("check", str(path), "--max-distance", "5000") == 0
    assert run("check", str(path), "--force") == 0
    assert run("check", str(path), "--datum", "48.115,11.5") == 0


def test_convert_by_extension_and_format_override(phone_gpx: Path, tmp_path: Path) -> None:
    assert run("convert", str(phone_gpx), str(tmp_path / "mission.yaml")) == 0
    assert (
        run("convert", str(tmp_path / "mission.yaml"), str(tmp_path / "for_foxglove.txt"), "--format", "geojson") == 0
    )
    assert (
        run("convert", str(tmp_path / "for_foxglove.txt"), str(tmp_path / "back.kml"), "--input-format", "geojson") == 0
    )
    assert load_mission(tmp_path / "back.kml").waypoints == load_mission(phone_gpx).waypoints


def test_convert_unknown_extension_is_an_error(
    phone_gpx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", str(phone_gpx), str(tmp_path / "out.shp")) == 1
    assert "cannot tell the format from the extension" in capsys.readouterr().err
    assert not (tmp_path / "out.shp").exists()


def test_route_picture_is_north_up_east_right_at_one_scale_with_circles() -> None:
    points = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]])
    image = render_route(points, [2.0, 2.0, 20.0], ["0", "1", "2"], size_px=400)
    red = ((image[:, :, 2] > 200) & (image[:, :, 0] < 80) & (image[:, :, 1] < 80)).astype(np.uint8)
    count, _, _, centroids = cv2.connectedComponentsWithStats(red)
    assert count == 4  # background + three waypoint dots
    start, *others = sorted(centroids[1:], key=lambda c: c[0])
    east, north_east = sorted(others, key=lambda c: -c[1])
    assert east[0] > start[0] and abs(east[1] - start[1]) < 1  # east is to the right
    assert north_east[1] < east[1] and abs(north_east[0] - east[0]) < 1  # north is up
    px_per_m = (east[0] - start[0]) / 100.0
    assert (east[1] - north_east[1]) / 100.0 == pytest.approx(px_per_m, abs=0.02)
    ring_x = round(north_east[0] - 20.0 * px_per_m)  # the 20 m arrival circle, due west of waypoint 2
    patch = image[round(north_east[1]) - 1 : round(north_east[1]) + 2, ring_x - 2 : ring_x + 3]
    assert ((patch[:, :, 1] > 150) & (patch[:, :, 2] < 200)).any()


@pytest.mark.parametrize(("target", "expected"), [(0.9, 0.5), (7.0, 5.0), (19.9, 10.0), (20.0, 20.0), (480.0, 200.0)])
def test_scale_bar_length_is_one_two_five(target: float, expected: float) -> None:
    assert nice_length(target) == expected
