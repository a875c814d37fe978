"""XML parsing that remembers the line of every element, so file errors can point at it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from anynav.mission.errors import MissionFileError


class LocatedTree:
    """An ElementTree root plus the source line of each element."""

    def __init__(self, root: ET.Element, lines: dict[int, int]) -> None:
        self.root = root
        self._lines = lines

    def line(self, element: ET.Element) -> int:
        """Source line (1-based) where ``element`` starts."""
        return self._lines[id(element)]


def parse_xml(data: bytes, path: str) -> LocatedTree:
    """Parse ``data``; a syntax error becomes a MissionFileError with line and column."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(_clark(tag), {_clark(k): v for k, v in attrs.items()})
        lines[id(element)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_clark(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise MissionFileError(
            path, f"line {exc.lineno}, column {exc.offset + 1}", f"not well-formed XML ({expat.ErrorString(exc.code)})"
        ) from None
    root = builder.close()
    return LocatedTree(root, lines)


def local_name(tag: str) -> str:
    """Tag without its namespace: '{http://www.opengis.net/kml/2.2}Point' -> 'Point'."""
    return tag.rsplit("}", 1)[-1]


def _clark(name: str) -> str:
    """expat's 'uri}local' to ElementTree's '{uri}local'."""
    return "{" + name if "}" in name else name
