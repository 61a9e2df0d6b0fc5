"""Draws the Teams app icons: `python adapters/teams/package/make_icons.py` rewrites color.png and
outline.png here.

Colour: a white speech bubble holding a tick, on GOV.UK blue. Outline: the same bubble and tick
as white lines on transparency, which is what Teams asks of the 32x32 outline icon.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from adapters.teams.package.png import encode  # noqa: E402

HERE = Path(__file__).resolve().parent
BLUE = (29, 112, 184, 255)  # GOV.UK blue #1D70B8
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def inside_bubble(x: float, y: float, *, size: float, inset: float = 0.0,
                  tail: bool = True) -> bool:
    """A rounded rectangle in the upper part with a tail at the bottom left, in unit coordinates."""
    u, v = x / size, y / size
    left, right, top, bottom, radius = 0.14 + inset, 0.86 - inset, 0.16 + inset, 0.70 - inset, 0.12
    cx = min(max(u, left + radius), right - radius)
    cy = min(max(v, top + radius), bottom - radius)
    if left <= u <= right and top <= v <= bottom and (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2:
        return True
    return tail and _in_triangle(u, v, (0.28, 0.69), (0.46, 0.69), (0.26, 0.86))


def _in_triangle(u, v, a, b, c) -> bool:
    def side(p, q):
        return (u - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (v - q[1])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))


def on_tick(x: float, y: float, *, size: float, width: float) -> bool:
    u, v = x / size, y / size
    return any(_near_segment(u, v, a, b, width) for a, b in (((0.33, 0.43), (0.45, 0.55)),
                                                            ((0.45, 0.55), (0.68, 0.31))))


def _near_segment(u, v, a, b, width) -> bool:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
    return (u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2 <= (width / 2) ** 2


def colour_icon(size: int = 192) -> bytes:
    pixels = []
    for y in range(size):
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            if on_tick(px, py, size=size, width=0.07):
                pixels.append(BLUE)
            elif inside_bubble(px, py, size=size):
                pixels.append(WHITE)
            else:
                pixels.append(BLUE)
    return encode(width=size, height=size, pixels=pixels)


def outline_icon(size: int = 32) -> bytes:
    stroke = 2.0 / size
    pixels = []
    for y in range(size):
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            edge = inside_bubble(px, py, size=size) and not inside_bubble(
                px, py, size=size, inset=stroke, tail=False)
            pixels.append(WHITE if edge or on_tick(px, py, size=size, width=0.09) else CLEAR)
    return encode(width=size, height=size, pixels=pixels)


if __name__ == "__main__":
    (HERE / "color.png").write_bytes(colour_icon())
    (HERE / "outline.png").write_bytes(outline_icon())
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")
