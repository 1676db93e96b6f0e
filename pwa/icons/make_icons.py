"""Draw the Rasd icons: PNGs with only zlib and struct, and the same drawing as SVG.

Run from anywhere: ``python3 pwa/icons/make_icons.py``. The PNGs are committed; this script is
kept so that anyone can check them and redraw them (it is never served).

The mark is a radar: a ring, a centre point and a sweep line, white on the theme green. Each shape
is a signed distance function, so one evaluation per pixel gives clean anti-aliased edges. The
maskable icon fills the whole square and keeps the mark inside the central safe circle (radius 40 %).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
THEME = (0x0B, 0x5D, 0x4B)
MARK = (0xFF, 0xFF, 0xFF)

# The mark, in units of the icon side, centred on (0.5, 0.5).
RING_RADIUS = 0.27
RING_WIDTH = 0.06
DOT_RADIUS = 0.065
SWEEP_END = (0.5 + 0.27 * math.cos(math.radians(-45)), 0.5 + 0.27 * math.sin(math.radians(-45)))
SWEEP_WIDTH = 0.05
CORNER = 0.2  # corner radius of the non-maskable icon's background


def rounded_square(x: float, y: float, radius: float) -> float:
    qx, qy = abs(x - 0.5) - (0.5 - radius), abs(y - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
    t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - t * dx, py - t * dy)


def mark(x: float, y: float) -> float:
    r = math.hypot(x - 0.5, y - 0.5)
    ring = abs(r - RING_RADIUS) - RING_WIDTH / 2
    dot = r - DOT_RADIUS
    sweep = segment(x, y, (0.5, 0.5), SWEEP_END) - SWEEP_WIDTH / 2
    return min(ring, dot, sweep)


def coverage(distance: float, pixel: float) -> float:
    """How much of a pixel lies inside a shape at this signed distance (in icon units)."""
    return max(0.0, min(1.0, 0.5 - distance / pixel))


def draw(size: int, maskable: bool) -> bytes:
    """RGBA rows of the icon, each prefixed with PNG filter type 0."""
    pixel = 1.0 / size
    scale = 0.8 if maskable else 1.0  # maskable: the mark shrinks into the safe zone
    rows = bytearray()
    for j in range(size):
        rows.append(0)
        for i in range(size):
            x, y = (i + 0.5) * pixel, (j + 0.5) * pixel
            background = 1.0 if maskable else coverage(rounded_square(x, y, CORNER), pixel)
            mx, my = 0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale
            ink = coverage(mark(mx, my) * scale, pixel)
            rgb = [round(t * (1 - ink) + m * ink) for t, m in zip(THEME, MARK, strict=True)]
            rows += bytes([*rgb, round(255 * background)])  # the mark lies well inside the background
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    signature = b"\x89PNG\r\n\x1a\n"
    return (
        signature + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rgba_rows, 9)) + chunk(b"IEND", b"")
    )


def svg() -> str:
    theme = "#{:02x}{:02x}{:02x}".format(*THEME)
    ex, ey = (round(v * 512, 1) for v in SWEEP_END)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">\n'
        f'  <rect width="512" height="512" rx="{CORNER * 512:g}" fill="{theme}"/>\n'
        f'  <circle cx="256" cy="256" r="{RING_RADIUS * 512:g}" fill="none" stroke="#fff" '
        f'stroke-width="{RING_WIDTH * 512:g}"/>\n'
        f'  <circle cx="256" cy="256" r="{DOT_RADIUS * 512:g}" fill="#fff"/>\n'
        f'  <line x1="256" y1="256" x2="{ex:g}" y2="{ey:g}" stroke="#fff" '
        f'stroke-width="{SWEEP_WIDTH * 512:g}" stroke-linecap="round"/>\n'
        "</svg>\n"
    )


ICONS: dict[str, Callable[[], bytes]] = {
    "icon-192.png": lambda: png(192, draw(192, maskable=False)),
    "icon-512.png": lambda: png(512, draw(512, maskable=False)),
    "icon-maskable-512.png": lambda: png(512, draw(512, maskable=True)),
    "icon.svg": lambda: svg().encode(),
}


def main() -> None:
    for name, make in ICONS.items():
        (HERE / name).write_bytes(make())
        print(f"wrote pwa/icons/{name}")


if __name__ == "__main__":
    main()
