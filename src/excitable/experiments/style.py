"""Figure style shared by every experiment: a colour-blind-safe palette and labelled axes."""

from __future__ import annotations

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Fixed colours for what a student should recognize across figures.
COLORS = {
    "v": OKABE_ITO["black"], "na": OKABE_ITO["vermillion"], "k": OKABE_ITO["blue"],
    "leak": OKABE_ITO["green"], "ion": OKABE_ITO["purple"], "cap": OKABE_ITO["orange"],
    "stim": OKABE_ITO["sky"], "ca": OKABE_ITO["yellow"],
}
CYCLE = [OKABE_ITO[k] for k in ("vermillion", "blue", "green", "orange", "purple", "sky", "yellow", "black")]


def new_figure(rows: int = 1, cols: int = 1, *, height: float = 2.6, width: float = 8.0, **kw):
    """A figure with ``rows`` x ``cols`` axes sharing x, sized for a screen or an A4 page."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(width, height * rows), squeeze=False,
                             constrained_layout=True, **kw)
    for ax in axes.flat:
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.set_prop_cycle(color=CYCLE)
    return fig, axes


def ion_color(name: str) -> str:
    """Colour for a current/conductance name by its ion ("ina" -> Na+ colour)."""
    n = name.lower()
    for ion in ("na", "ca"):
        if ion in n:
            return COLORS[ion]
    if "k" in n or n in ("gm", "im"):
        return COLORS["k"]
    if n in ("il", "i", "g", "ileak", "gl"):
        return COLORS["leak"]
    return COLORS["ion"]


def stimulus_axis(ax, t, i_stim, unit: str = "uA/cm2"):
    """The stimulus as a shaded trace on a right-hand axis of ``ax`` (kept in the lower quarter)."""
    ax_s = ax.twinx()
    ax_s.fill_between(t, i_stim, step="pre", color=COLORS["stim"], alpha=0.35, lw=0)
    ax_s.set_ylim(0, max(i_stim.max(), 1e-9) * 4)
    ax_s.set_ylabel(f"stimulus ({unit})", color=COLORS["stim"], fontsize=8)
    ax_s.spines["top"].set_visible(False)
    return ax_s
