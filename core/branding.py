"""Each council's brand colour, made safe to carry white text (WCAG 2.2 AA, 4.5:1)."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE_TEXT_CONTRAST = 4.5
FALLBACK = "#1d70b8"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def readable_on_white_text(colour: str) -> str:
    """The colour itself if white text on it reaches 4.5:1, else the nearest darker shade that does.

    Councils choose any colour; the header carries white text, so a light colour
    is darkened in steps (keeping its hue) rather than refused.
    """
    if not HEX.match(colour or ""):
        return FALLBACK
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(0, 101):
        factor = 1 - step / 100
        shade = f"#{round(r * factor):02x}{round(g * factor):02x}{round(b * factor):02x}"
        if contrast_with_white(shade) >= WHITE_TEXT_CONTRAST:
            return shade
    return "#000000"  # pragma: no cover - black always passes
