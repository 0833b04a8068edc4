"""The lab's pages as files (no browser): the palette the pages draw with is the figures' own
(experiments/common/figures.py), and the pages load nothing but what the lab serves itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from excitable.experiments.common import figures

STATIC = Path(__file__).resolve().parents[3] / "src" / "excitable" / "interfaces" / "lab" / "static"
UTIL = (STATIC / "util.js").read_text(encoding="utf-8")


def js_object(name: str) -> dict:
    """``export const NAME = {...};`` of util.js as a dict (keys bare, strings double-quoted)."""
    body = re.search(rf"export const {name} = (\{{.*?\}});", UTIL, flags=re.S).group(1)
    return json.loads(re.sub(r"(\w+):", r'"\1":', body.replace("\n", " ")).replace(", }", "}").replace(",}", "}"))


def js_array(name: str):
    body = re.search(rf"export const {name} = (\[.*?\]);", UTIL, flags=re.S).group(1)
    return json.loads(body)


def test_the_pages_colours_are_the_figures_colours():
    colours = js_object("COLORS")
    assert colours == {k: v for k, v in figures.COLORS.items() if k in colours}
    assert {"v", "na", "k", "cl", "ca", "leak", "stim", "excitatory", "inhibitory", "transmitter"} <= colours.keys()
    assert js_array("CYCLE") == list(figures.CYCLE)


def test_the_voltage_scale_is_the_figures_colour_map_over_their_range():
    import matplotlib
    import matplotlib.colors as mcolors

    assert tuple(js_array("V_RANGE")) == tuple(figures.VOLTAGE_RANGE)
    cmap = matplotlib.colormaps[figures.VOLTAGE_CMAP]
    for stop, colour in js_array("VOLTAGE_SCALE"):
        assert colour == mcolors.to_hex(cmap(float(stop))), stop  # the colour map sampled exactly at each stop


@pytest.mark.parametrize("page", sorted(p.name for p in STATIC.iterdir() if p.suffix in (".html", ".js", ".css")))
def test_nothing_is_loaded_from_outside_the_lab(page):
    text = (STATIC / page).read_text(encoding="utf-8")
    # every URL a page names is the lab's own (/static/..., /api/..., /x/...) or a data: URI
    assert not re.findall(r"""(?:src|href)\s*=\s*["'](?!/|data:|#)[^"']+""", text)
    assert not re.findall(r"https?://(?!www\.w3\.org/2000/svg)", text)
