"""What every experiment's figure shares: one style, so that a colour, a line or a unit means the
same thing in every figure a student sees.

- One colour per ion (Na+, K+, Cl-, Ca2+: ``ION_COLORS``, ``ion_color``) and per role (stimulus,
  excitatory, inhibitory, transmitter, control: ``ROLE_COLORS``), from the Okabe & Ito (2008)
  colour-blind-safe palette (two darker tones for the synaptic roles, so that an excitatory input is
  never mistaken for a Na+ current); V itself is black.
- One colour map for voltage (``VOLTAGE_CMAP`` over the fixed range ``VOLTAGE_RANGE``: the same colour
  is the same mV in every figure), with ``voltage_colorbar`` labelled "V (mV)".
- Units as a reader writes them, with µ and ² (``UNITS``, ``unit``: "µA/cm²", "µm", "mS/cm²").
- Reference lines where a V trace is shown (``reference_lines``: rest, threshold, E_Na, E_K), legends
  outside the data (``legend_outside``), titles that state the answer (the figures' own words).
- Readable at phone width: fonts of at least 9 pt on a figure about 8 inches wide (``STYLE``), saved at
  ``EXPORT_DPI`` so an enlarged image stays sharp.

Each experiment's figure lives beside it (``excitability/action_potential_figure.py`` ...) and takes
its Result; matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: One colour per ion, never used for anything else (Cl- green; Ca2+ reddish purple: the palette's
#: yellow is unreadable as a line on white).
ION_COLORS = {"na": OKABE_ITO["vermillion"], "k": OKABE_ITO["blue"], "cl": OKABE_ITO["green"],
              "ca": OKABE_ITO["purple"]}
#: One colour per role. Excitatory (wine) and inhibitory (indigo) are darker than the Na+ and K+
#: colours, warm for "pushes V up" and cool for "holds V down", but never the ions' own tones.
ROLE_COLORS = {"stimulus": OKABE_ITO["sky"], "excitatory": "#882255", "inhibitory": "#332288",
               "transmitter": OKABE_ITO["orange"], "control": "0.55"}
#: Fixed colours for what a student should recognize across figures.
COLORS = {
    "v": OKABE_ITO["black"], **ION_COLORS, "leak": "#999933", "ion": "#44AA99", "cap": "#997700",
    "stim": ROLE_COLORS["stimulus"], **ROLE_COLORS,
}
CYCLE = [OKABE_ITO[k] for k in ("vermillion", "blue", "green", "orange", "purple", "sky", "yellow", "black")]
#: Synapse figures: the transmitter in the cleft, excitatory and inhibitory inputs.
TRANSMITTER, EXCITATORY, INHIBITORY = (ROLE_COLORS["transmitter"], ROLE_COLORS["excitatory"],
                                       ROLE_COLORS["inhibitory"])
#: Neutral grey for controls and guide lines.
GREY = ROLE_COLORS["control"]
#: The one colour map for voltage, and the range it spans (mV): a colour is the same voltage in every
#: figure (cividis: perceptually uniform and readable with any colour vision).
VOLTAGE_CMAP = "cividis"
VOLTAGE_RANGE = (-80.0, 40.0)
#: Units as printed (µ and ²), by the ASCII spelling the code and the declarations use.
UNITS = {"uA/cm2": "µA/cm²", "mA/cm2": "mA/cm²", "nA": "nA", "uA": "µA", "pA": "pA", "mS/cm2": "mS/cm²",
         "S/cm2": "S/cm²", "uS": "µS", "nS": "nS", "um": "µm", "um2": "µm²", "cm2": "cm²", "uF/cm2": "µF/cm²",
         "ohm cm": "Ω cm", "ohm cm2": "Ω cm²", "Ohm cm": "Ω cm", "Ohm cm2": "Ω cm²", "MOhm": "MΩ",
         "degC": "°C", "mV": "mV", "ms": "ms", "mM": "mM", "uM": "µM", "m/s": "m/s", "us": "µs"}
#: Font sizes (pt) readable when an 8-inch-wide figure is shown 400 px wide on a phone.
STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "xtick.labelsize": 9,
         "ytick.labelsize": 9, "legend.fontsize": 9, "figure.titlesize": 12, "axes.titleweight": "bold"}
#: Resolution figures are saved at (dots per inch): sharp when a page enlarges them on a click.
EXPORT_DPI = 150
#: Text style of a caption under or inside a panel.
CAPTION = dict(fontsize=9, color="0.25", ha="left", va="top", wrap=True)


def unit(text: str) -> str:
    """``text`` as printed: "uA/cm2" -> "µA/cm²", "um" -> "µm", "degC" -> "°C" (other text unchanged)."""
    return UNITS.get(text, text)


def _pyplot():
    """pyplot on the Agg backend, with the shared ``STYLE`` applied."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)
    return plt


def new_figure(rows: int = 1, cols: int = 1, *, height: float = 2.6, width: float = 8.0, **kw):
    """A figure with ``rows`` x ``cols`` axes sharing x, sized for a screen or an A4 page."""
    plt = _pyplot()
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
    for ion in ("na", "ca", "cl"):
        if ion in n:
            return COLORS[ion]
    if "k" in n or n in ("gm", "im"):
        return COLORS["k"]
    if n in ("il", "i", "g", "ileak", "gl"):
        return COLORS["leak"]
    return COLORS["ion"]


def stimulus_axis(ax, t, i_stim, units: str = "µA/cm²"):
    """The stimulus as a shaded trace on a right-hand axis of ``ax`` (kept in the lower quarter)."""
    ax_s = ax.twinx()
    ax_s.fill_between(t, i_stim, step="pre", color=COLORS["stim"], alpha=0.35, lw=0)
    ax_s.set_ylim(0, max(i_stim.max(), 1e-9) * 4)
    ax_s.set_ylabel(f"stimulus ({unit(units)})", color=COLORS["stim"], fontsize=9)
    ax_s.spines["top"].set_visible(False)
    return ax_s


def grid_figure(width, height, rows, cols, **kw):
    """A figure with a GridSpec (for panels of different sizes), styled as ``new_figure``."""
    plt = _pyplot()
    fig = plt.figure(figsize=(width, height), constrained_layout=True)
    return fig, fig.add_gridspec(rows, cols, **kw)


def style_axes(ax):
    """``ax`` without top and right spines, cycling through the palette (as ``new_figure``'s)."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.set_prop_cycle(color=CYCLE)
    return ax


def stim_strip(ax, t, stim, label="stimulus\n(µA/cm²)"):
    """The stimulus as a shaded strip filling ``ax`` (a thin panel under the traces)."""
    ax.fill_between(t, stim, step="pre", color=COLORS["stim"], alpha=0.6, lw=0)
    ax.set_ylabel(label, fontsize=9)
    ax.tick_params(labelsize=9)


def note(ax, text, x=0.02, y=0.97, **kw):
    """A boxed note in axes coordinates (top left by default)."""
    ax.text(x, y, text, transform=ax.transAxes, va="top", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.8", alpha=0.9), **kw)


def mark(ax, x, text, *, color="0.3", y=0.97, ha="left"):
    """A dotted vertical line at time ``x`` with a label at its top: an event (release, onset)."""
    ax.axvline(x, color=color, lw=0.8, ls=":")
    ax.text(x, y, f" {text} ", transform=ax.get_xaxis_transform(), fontsize=9, va="top", ha=ha, color=color)


def reference_lines(ax, *, rest=None, threshold=None, e_na=None, e_k=None, labels=True, x=0.005):
    """Horizontal guide lines where a V trace is shown (mV; None: not drawn): rest (grey), threshold
    (grey dashed), E_Na and E_K (dotted, in the ions' colours), each labelled just above itself at
    ``x`` (axes fraction: the left end by default, where a trace is flat before its stimulus)."""
    lines = (("rest", rest, GREY, "-"), ("threshold", threshold, "0.35", "--"),
             ("E$_{Na}$", e_na, COLORS["na"], ":"), ("E$_K$", e_k, COLORS["k"], ":"))
    for name, value, color, style in lines:
        if value is None:
            continue
        ax.axhline(value, color=color, lw=0.9, ls=style, zorder=0)
        if labels:
            ax.text(x, value, f"{name} {value:.0f} mV", transform=ax.get_yaxis_transform(), fontsize=9,
                    color=color, va="bottom", ha="left" if x < 0.5 else "right")


def model_reversals(model: str) -> dict[str, float]:
    """E_Na and E_K (mV) of a single-compartment model by name ("hh", "textbook"): {"e_na", "e_k"}."""
    from excitable.experiments.common.models import single_compartment

    out = {}
    for mech in single_compartment(model).cell.mechanisms.values():
        for field in mech.parameters():
            if field.lower() in ("ena", "ek"):
                out.setdefault("e_na" if field.lower() == "ena" else "e_k", float(getattr(mech, field)))
    return out


def legend_outside(ax, *, where="right", **kw):
    """The legend of ``ax`` outside the data: to its right (default) or below it."""
    if where == "below":
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=kw.pop("ncol", 3),
                         frameon=False, **kw)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0, **kw)


def voltage_norm(vmin=None, vmax=None):
    """The colour scale of V: ``VOLTAGE_RANGE`` unless a figure must zoom (say so in its caption)."""
    import matplotlib.colors as mcolors

    return mcolors.Normalize(VOLTAGE_RANGE[0] if vmin is None else vmin,
                             VOLTAGE_RANGE[1] if vmax is None else vmax)


def voltage_colorbar(fig, mappable, ax, label="V (mV)", **kw):
    """The colour bar of a voltage map, labelled "V (mV)" (or ``label``)."""
    return fig.colorbar(mappable, ax=ax, label=label, pad=kw.pop("pad", 0.01), **kw)


def save(fig, path, **kw):
    """Write ``fig`` at ``EXPORT_DPI`` (an enlarged image stays sharp)."""
    fig.savefig(path, dpi=kw.pop("dpi", EXPORT_DPI), **kw)
