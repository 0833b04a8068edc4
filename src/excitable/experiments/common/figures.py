"""What every experiment's figure shares: a colour-blind-safe palette, fixed colours for what a
student should recognize across figures (V, Na+, K+, the stimulus), figure layouts and small helpers
(a shaded stimulus, a caption, a note, an event marker).

Each experiment's figure lives beside it (``excitability/action_potential_figure.py`` ...) and takes
its Result; matplotlib is imported only when a figure is drawn.
"""

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
#: Synapse figures: the transmitter in the cleft, excitatory and inhibitory inputs.
TRANSMITTER, EXCITATORY, INHIBITORY = OKABE_ITO["orange"], OKABE_ITO["vermillion"], OKABE_ITO["blue"]
#: Neutral grey for controls and guide lines.
GREY = "0.55"
#: Text style of a caption under or inside a panel.
CAPTION = dict(fontsize=8.5, color="0.25", ha="left", va="top", wrap=True)


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


def grid_figure(width, height, rows, cols, **kw):
    """A figure with a GridSpec (for panels of different sizes), styled as ``new_figure``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), constrained_layout=True)
    return fig, fig.add_gridspec(rows, cols, **kw)


def style_axes(ax):
    """``ax`` without top and right spines, cycling through the palette (as ``new_figure``'s)."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.set_prop_cycle(color=CYCLE)
    return ax


def stim_strip(ax, t, stim, label="stimulus\n(uA/cm2)"):
    """The stimulus as a shaded strip filling ``ax`` (a thin panel under the traces)."""
    ax.fill_between(t, stim, step="pre", color=COLORS["stim"], alpha=0.6, lw=0)
    ax.set_ylabel(label, fontsize=8)
    ax.tick_params(labelsize=7)


def note(ax, text, x=0.02, y=0.97, **kw):
    """A boxed note in axes coordinates (top left by default)."""
    ax.text(x, y, text, transform=ax.transAxes, va="top", fontsize=8,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.8", alpha=0.9), **kw)


def mark(ax, x, text, *, color="0.3", y=0.97, ha="left"):
    """A dotted vertical line at time ``x`` with a label at its top: an event (release, onset)."""
    ax.axvline(x, color=color, lw=0.8, ls=":")
    ax.text(x, y, f" {text} ", transform=ax.get_xaxis_transform(), fontsize=7, va="top", ha=ha, color=color)
