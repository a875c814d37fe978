"""Waypoint files: round trips in every format, what other tools write, and errors that say where."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from anynav.mission import (
    FORMATS,
    GeoPoint,
    Mission,
    MissionFileError,
    UnknownFormatError,
    Waypoint,
    format_for_path,
    load_mission,
    load_track,
    save_mission,
)

EXTENSIONS = {"yaml": "yml", "csv": "csv", "gpx": "gpx", "kml": "kml", "geojson": "geojson"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_same(got: Mission, expected: Mission, yaw_tol: float = 0.0) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got.waypoints, expected.waypoints, strict=True):
        assert (g.latitude, g.longitude, g.name, g.radius_m) == (e.latitude, e.longitude, e.name, e.radius_m)
        if e.yaw is None:
            assert g.yaw is None
        else:
            assert g.yaw == pytest.approx(e.yaw, abs=yaw_tol)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_keeps_every_field(tmp_path: Path, sample_mission: Mission, fmt: str) -> None:
    path = tmp_path / f"mission.{EXTENSIONS[fmt]}"
    save_mission(sample_mission, path)
    assert_same(load_mission(path), sample_mission, yaw_tol=1e-12 if fmt == "csv" else 0.0)


def test_chain_through_all_formats_comes_back_unchanged(tmp_path: Path, sample_mission: Mission) -> None:
    mission = sample_mission
    for fmt in ("csv", "gpx", "kml", "geojson", "yaml"):
        path = tmp_path / f"step.{EXTENSIONS[fmt]}"
        save_mission(mission, path)
        mission = load_mission(path)
    assert_same(mission, sample_mission, yaw_tol=1e-12)


def test_yaml_datum_round_trips(tmp_path: Path, sample_mission: Mission) -> None:
    with_datum = Mission(sample_mission.waypoints, GeoPoint(48.15, 11.568))
    save_mission(with_datum, tmp_path / "m.yaml")
    assert load_mission(tmp_path / "m.yaml").datum == GeoPoint(48.15, 11.568)


def test_yaml_as_nav2_gps_waypoint_logger_writes_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "gps_waypoints.yaml",
        (
            "waypoints:\n"
            "- latitude: 38.161491054181276\n  longitude: -122.45464431092836\n  yaw: 0.0\n"
            "- latitude: 38.161201\n  longitude: -122.454301\n  yaw: 1.5707963267948966\n  name: null\n"
        ),
    )
    mission = load_mission(path)
    assert [w.name for w in mission.waypoints] == [None, None]
    assert [(w.latitude, w.longitude, w.yaw) for w in mission.waypoints] == [
        (38.161491054181276, -122.45464431092836, 0.0),
        (38.161201, -122.454301, math.pi / 2),
    ]
    assert mission.datum is None


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ("waypoints:\n- latitude: 1.0\n  longitude: 2.0\n  heading: 0.5\n", "line 4", "unknown key 'heading'"),
        ("waypoints:\n- longitude: 2.0\n", "line 2", "missing key 'latitude'"),
        ("waypoints:\n- latitude: north\n  longitude: 2.0\n", "line 2", "expected a number, got 'north'"),
        ("waypoints:\n- latitude: 91.0\n  longitude: 2.0\n", "line 2", "latitude=91.0 is invalid"),
        ("waypoints:\n- latitude: 1.0\n  longitude: 2.0\n  radius: -1\n", "line 2", "radius_m=-1.0 is invalid"),
        ("waypoints:\n- latitude: .nan\n  longitude: 2.0\n", "line 2", "latitude=nan is invalid"),
        ("waypoints:\n- {latitude: 1.0, longitude: 2.0\n", "line 3", "not valid YAML"),
        ("waypoint:\n- latitude: 1.0\n", "line 1", "unknown key 'waypoint'"),
        ("waypoints: []\n", "line 1", "'waypoints' is empty"),
    ],
)
def test_malformed_yaml_names_line_and_reason(tmp_path: Path, text: str, where: str, reason: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(MissionFileError) as caught:
        load_mission(path)
    assert caught.value.path == str(path)
    assert caught.value.where.startswith(where)
    assert reason in caught.value.reason
    assert str(path) in str(caught.value)


def test_csv_accepts_common_headers_separators_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffLatitude;Longitude;Elevation;Name;Radius\n48.1;11.5;519;Gate;2.5\n\n48.2;11.6;;;\n".encode()
    )
    mission = load_mission(path)
    assert mission.waypoints == (Waypoint(48.1, 11.5, name="Gate", radius_m=2.5), Waypoint(48.2, 11.6))


def test_csv_yaw_is_degrees_and_yaw_rad_is_radians(tmp_path: Path) -> None:
    degrees = load_mission(write(tmp_path, "d.csv", "lat,lon,yaw_deg\n1,2,90\n"))
    radians = load_mission(write(tmp_path, "r.csv", "lat,lon,yaw_rad\n1,2,1.5\n"))
    assert degrees.waypoints[0].yaw == pytest.approx(math.pi / 2)
    assert radians.waypoints[0].yaw == 1.5


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ("lat,lon,speed\n1,2,3\n", "line 1, column 3", "unknown column 'speed'"),
        ("lat,lon,yaw\n1,2,3\n", "line 1, column 3", "ambiguous"),
        ("48.1,11.5\n48.2,11.6\n", "line 1", "add a header row"),
        ("name,lon\nA,2\n", "line 1", "no 'lat' column"),
        ("lat,lon\n1,2\n3,east\n", "line 3, column 2", "lon='east' is not a number"),
        ("lat,lon\n1,2\n,4\n", "line 3, column 1", "lat is empty"),
        ("lat,lon,tolerance_m\n1,2,0\n", "line 2", "radius_m=0.0 is invalid"),
        ("lat,lon\n", "", "no waypoint rows"),
    ],
)
def test_malformed_csv_names_line_and_reason(tmp_path: Path, text: str, where: str, reason: str) -> None:
    with pytest.raises(MissionFileError) as caught:
        load_mission(write(tmp_path, "bad.csv", text))
    assert caught.value.where == where
    assert reason in caught.value.reason


def test_phone_gpx_gives_the_route_in_order_with_names(phone_gpx: Path) -> None:
    mission = load_mission(phone_gpx)
    assert [w.name for w in mission.waypoints] == ["Gate", "Library corner", "Fountain", None, "Gate"]
    assert (mission.waypoints[1].latitude, mission.waypoints[1].longitude) == (48.149955, 11.568312)
    assert all(w.yaw is None and w.radius_m is None for w in mission.waypoints)


def test_phone_gpx_track_is_read_for_drawing(phone_gpx: Path) -> None:
    track = load_track(phone_gpx)
    assert len(track) == 5
    assert track[0] == (48.149625, 11.56779)


def test_gpx_without_route_gives_waypoints(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "marks.gpx",
        (
            '<gpx version="1.1" creator="Garmin" xmlns="http://www.topografix.com/GPX/1/1">\n'
            '<wpt lat="47.1" lon="8.5"><ele>410</ele><name>A</name><sym>Flag</sym></wpt>\n'
            '<wpt lat="47.2" lon="8.6"/>\n</gpx>\n'
        ),
    )
    assert load_mission(path).waypoints == (Waypoint(47.1, 8.5, name="A"), Waypoint(47.2, 8.6))


@pytest.mark.parametrize(
    ("body", "where", "reason"),
    [
        (
            '<rte><rtept lat="47.1" lon="8.5"/>\n<rtept lat="x" lon="8.6"/></rte>',
            "line 3 (<rtept>)",
            "lat='x' is not a number",
        ),
        ('<wpt lat="47.1"/>', "line 2 (<wpt>)", "missing attribute 'lon'"),
        (
            '<rte>\n<rtept lat="47.1" lon="8.5"/>\n<rtept lat="95" lon="8.6"/></rte>',
            "rte 1 rtept 2 (line 4)",
            "latitude=95.0",
        ),
        ('<wpt lat="47.1" lon="8.5">\n</gpx>', "line 3, column 3", "not well-formed XML"),
        ('<trk><trkseg><trkpt lat="47.1" lon="8.5"/></trkseg></trk>', "", "recorded track of 1 points"),
    ],
)
def test_malformed_gpx_names_element_and_line(tmp_path: Path, body: str, where: str, reason: str) -> None:
    path = write(
        tmp_path, "bad.gpx", f'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">\n{body}\n</gpx>\n'
    )
    with pytest.raises(MissionFileError) as caught:
        load_mission(path)
    assert caught.value.where == where
    assert reason in caught.value.reason


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>My Maps export</name>
    <Folder>
      <Placemark>
        <name>Gate</name>
        <styleUrl>#icon-1899-0288D1</styleUrl>
        <Point>
          <coordinates>
            11.5677830,48.1496210,0
          </coordinates>
        </Point>
      </Placemark>
      <Placemark>
        <name>Area</name>
        <Polygon><outerBoundaryIs><LinearRing>
          <coordinates>11.5,48.1,0 11.6,48.1,0 11.6,48.2,0 11.5,48.1,0</coordinates>
        </LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
      <Placemark>
        <name>Path</name>
        <LineString>
          <tessellate>1</tessellate>
          <coordinates>
            11.568312,48.149955,0
            11.569047,48.150299,0
          </coordinates>
        </LineString>
      </Placemark>
    </Folder>
  </Document>
</kml>
"""


def test_kml_points_and_linestrings_in_lon_lat_order(tmp_path: Path) -> None:
    mission = load_mission(write(tmp_path, "export.kml", KML))
    assert mission.waypoints == (
        Waypoint(48.149621, 11.567783, name="Gate"),
        Waypoint(48.149955, 11.568312, name="Path 1"),
        Waypoint(48.150299, 11.569047, name="Path 2"),
    )


@pytest.mark.parametrize(
    ("coordinates", "where", "reason"),
    [
        ("11.5", "line 5 (Placemark 1 Point)", "must be 'lon,lat[,alt]'"),
        ("11.5,abc", "line 5 (Placemark 1 Point)", "holds a non-number"),
        ("48.1,120.0", "line 5 (Placemark 1 Point)", "latitude=120.0 is invalid"),
        ("", "line 5 (Placemark 1 Point)", "has no <coordinates>"),
    ],
)
def test_malformed_kml_names_placemark_and_line(tmp_path: Path, coordinates: str, where: str, reason: str) -> None:
    text = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n<Placemark>\n<name>Gate</name>\n\n'
        f"<Point><coordinates>{coordinates}</coordinates></Point>\n</Placemark></Document></kml>\n"
    )
    with pytest.raises(MissionFileError) as caught:
        load_mission(write(tmp_path, "bad.kml", text))
    assert caught.value.where == where
    assert reason in caught.value.reason


def test_geojson_points_multipoints_and_lines_in_lon_lat_order(tmp_path: Path) -> None:
    text = """{"type": "FeatureCollection", "features": [
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [11.5, 48.1]},
       "properties": {"name": "A", "yaw": 0.5, "radius": 4}},
      {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": null},
      {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[11.6, 48.2], [11.7, 48.3, 500]]},
       "properties": {}},
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[11.8, 48.4], [11.9, 48.5]]},
       "properties": {"name": "road"}}
    ]}"""
    mission = load_mission(write(tmp_path, "route.geojson", text))
    assert mission.waypoints == (
        Waypoint(48.1, 11.5, yaw=0.5, name="A", radius_m=4.0),
        Waypoint(48.2, 11.6),
        Waypoint(48.3, 11.7),
        Waypoint(48.4, 11.8, name="road 1"),
        Waypoint(48.5, 11.9, name="road 2"),
    )


def test_geojson_bare_linestring(tmp_path: Path) -> None:
    mission = load_mission(
        write(tmp_path, "line.json", '{"type": "LineString", "coordinates": [[8.5, 47.1], [8.6, 47.2]]}')
    )
    assert [(w.latitude, w.longitude) for w in mission.waypoints] == [(47.1, 8.5), (47.2, 8.6)]


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        (
            '{"type": "FeatureCollection", "features": [\n  {"type": "Feature", "geometry": {"type": "Point", '
            '"coordinates": [11.5]}}]}',
            "features[0].geometry.coordinates",
            "must be [lon, lat]",
        ),
        (
            '{"type": "LineString", "coordinates": [[8.5, 47.1], [8.6, 147.2]]}',
            "(root geometry).coordinates[1]",
            "latitude=147.2 is invalid",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
            '{"type": "GeometryCollection"}, "properties": {}}]}',
            "features[0].geometry.type",
            "unsupported geometry",
        ),
        (
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"yaw": "east"}}',
            "(root Feature).properties.yaw",
            "must be a number",
        ),
        ('{"type": "FeatureCollection",\n "features": [,]}', "line 2, column 15", "not valid JSON"),
    ],
)
def test_malformed_geojson_names_element(tmp_path: Path, text: str, where: str, reason: str) -> None:
    with pytest.raises(MissionFileError) as caught:
        load_mission(write(tmp_path, "bad.geojson", text))
    assert caught.value.where == where
    assert reason in caught.value.reason


def test_format_comes_from_extension_or_is_given(tmp_path: Path) -> None:
    assert format_for_path("a/b/route.GPX") == "gpx"
    assert format_for_path("points.txt", "csv") == "csv"
    with pytest.raises(UnknownFormatError, match="cannot tell the format"):
        format_for_path("points.txt")
    with pytest.raises(UnknownFormatError, match="unknown format 'shp'"):
        format_for_path("points.txt", "shp")


def test_missing_file_is_a_mission_file_error(tmp_path: Path) -> None:
    with pytest.raises(MissionFileError, match="cannot read"):
        load_mission(tmp_path / "nope.yaml")
