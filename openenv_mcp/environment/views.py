"""HTML-safe pictures of an episode's state, for the playground: plain text, or SVG from escaped parts.

An environment's `render_view` returns a `View`. Text is shown as text (never parsed as
markup). SVG is only built here, by `Svg`: element and attribute names come from this
module, numbers must be finite numbers, colours must look like colours, and every piece of
text is escaped, so an observation cannot add an element, an attribute or a script. The page
shows SVG as an image besides, where no script runs: two layers, each enough alone.

>>> svg = Svg(40, 20, title="a <b>")
>>> svg.rect(0, 0, 40, 20, fill="#eee")
>>> svg.text(20, 14, "<script>", fill="black", size=10)
>>> view = svg.view()
>>> view.mime_type, "<script>" in view.text, "&lt;script&gt;" in view.text
('image/svg+xml', False, True)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from openenv_mcp.errors import DefinitionError

__all__ = ["Svg", "View"]

_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-z]{3,20}")
_ANCHORS = frozenset({"start", "middle", "end"})
_WEIGHTS = frozenset({"normal", "bold"})


@dataclass(frozen=True)
class View:
    """A picture of an episode's state: `text/plain` text, or an SVG document built by `Svg`."""

    mime_type: Literal["text/plain", "image/svg+xml"]
    text: str
    title: str = ""
    """What the picture shows, in a few words (an image's alternative text)."""

    @classmethod
    def plain(cls, text: str, title: str = "") -> View:
        """A text view: shown as preformatted text, never as markup."""
        return cls("text/plain", text, title)


class Svg:
    """An SVG picture drawn from rectangles, circles and text; every value checked or escaped."""

    def __init__(self, width: float, height: float, *, title: str) -> None:
        self.width, self.height, self.title = _number(width), _number(height), title
        self._parts: list[str] = []

    def rect(self, x: float, y: float, width: float, height: float, *, fill: str, rx: float = 0) -> None:
        self._element("rect", x=x, y=y, width=width, height=height, rx=rx, fill=_colour(fill))

    def circle(self, cx: float, cy: float, r: float, *, fill: str, stroke: str = "none") -> None:
        self._element("circle", cx=cx, cy=cy, r=r, fill=_colour(fill), stroke=_colour(stroke))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        fill: str,
        size: float = 16,
        anchor: str = "middle",
        weight: str = "normal",
    ) -> None:
        if anchor not in _ANCHORS or weight not in _WEIGHTS:
            raise DefinitionError(
                f"an SVG text's anchor is one of {sorted(_ANCHORS)}, its weight one of {sorted(_WEIGHTS)}"
            )
        attributes = _attributes(x=x, y=y, fill=_colour(fill))
        attributes += _attributes(**{"font-size": size})
        attributes += f' text-anchor="{anchor}" font-weight="{weight}" font-family="monospace"'
        self._parts.append(f"<text{attributes}>{escape(text)}</text>")

    def view(self) -> View:
        """The picture as an SVG document."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img">'
        )
        body = "".join(self._parts)
        return View("image/svg+xml", f"{head}<title>{escape(self.title)}</title>{body}</svg>", self.title)

    def _element(self, tag: str, **values: float | str) -> None:
        self._parts.append(f"<{tag}{_attributes(**values)}/>")


def _attributes(**values: float | str) -> str:
    return "".join(
        f" {name}={quoteattr(value if isinstance(value, str) else str(_number(value)))}"
        for name, value in values.items()
    )


def _number(value: object) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DefinitionError(f"an SVG coordinate must be a finite number, not {value!r}")
    return int(value) if float(value).is_integer() else round(float(value), 3)


def _colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise DefinitionError(f"an SVG colour is #hex or a colour name, not {value!r}")
    return value
