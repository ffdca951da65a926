"""The colours a rendered chart actually uses, read from its PNG pixels."""

from __future__ import annotations

import io


def chart_colours(chart) -> set[tuple[int, int, int]]:
    """The RGB colours of the pixels of ``chart`` (a charts.Chart)."""
    from PIL import Image

    pixels = Image.open(io.BytesIO(chart.png)).convert("RGB")
    return set(zip(*(band.tobytes() for band in pixels.split())))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#2F5597' -> (47, 85, 151)."""
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
