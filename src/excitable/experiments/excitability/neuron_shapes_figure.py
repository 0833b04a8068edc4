"""The neuron-shapes figure: each shape drawn (where input arrives, the soma, where the axon goes) above
its response to the same step: V at the input, the soma and the axon's far end."""

from __future__ import annotations

import textwrap

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, OKABE_ITO, grid_figure, style_axes
from excitable.experiments.excitability import neuron_shapes_reflex_figure as reflex_figure

WHERE = {"input": (OKABE_ITO["orange"], "at the input"), "soma": (COLORS["v"], "at the soma"),
         "output": (OKABE_ITO["blue"], "at the axon's far end")}
TITLES = {"unipolar": "Unipolar", "bipolar": "Bipolar", "pseudo-unipolar": "Pseudo-unipolar (sensory)",
          "multipolar": "Multipolar (motor neuron)"}


def _draw(ax, morph, spec, s, shape):
    """The sections as lines (width ~ diameter), the soma as a disc, input and output marked."""
    names = morph.names
    for sec in morph.sections:
        pts = np.asarray(sec.points)
        if sec.name == "soma":
            ax.add_patch(_disc(pts[:, :2].mean(axis=0), spec["soma"] / 2))
            continue
        color = OKABE_ITO["blue"] if sec.region == "axon" else GREY
        ax.plot(pts[:, 0], pts[:, 1], color=color, lw=max(0.8, 1.2 * pts[0, 3]), solid_capstyle="round")
    ends = {k: np.asarray(morph.sections[names.index(spec[k])].points)[-1, :2] for k in ("input", "output")}
    ax.annotate("input", xy=ends["input"], xytext=(0, 14), textcoords="offset points", ha="center",
                fontsize=7.5, color=WHERE["input"][0], arrowprops=dict(arrowstyle="->", color=WHERE["input"][0]))
    # below the axon's end: above it the label ran into the panel's title (the pseudo-unipolar cell)
    ax.annotate("to the target", xy=ends["output"], xytext=(0, -8), textcoords="offset points", ha="center",
                va="top", fontsize=7.5, color=WHERE["output"][0])
    ax.set_aspect("equal")
    ax.axis("off")
    key = shape.replace("-", "_")
    role = textwrap.fill(spec["role"], 34)
    ax.set_title(f"{TITLES[shape]}\n{role}\ninput resistance {s['input_resistance_MOhm_' + key]:.0f} MΩ",
                 fontsize=7.5)


def _disc(xy, r):
    from matplotlib.patches import Circle

    return Circle(xy, max(r, 15.0), color=COLORS["v"], zorder=3)  # at least visible beside 800-µm axons


def plot_neuron_shapes(res):
    """Top: the four shapes; middle: V at input, soma and far end during the step; bottom: the reflex arc
    (``neuron_shapes_reflex_figure``)."""
    t, tr, s, m = res.t, res.traces, res.summary, res.meta
    fig = grid_figure(12.0, 11.0, 1, 1)[0]
    top, bottom = fig.subfigures(2, 1, height_ratios=(6.4, 4.6))
    gs = top.add_gridspec(2, 4, height_ratios=(1.0, 1.1))
    for col, (shape, spec) in enumerate(m["shapes"].items()):
        _draw(top.add_subplot(gs[0, col]), m["morphologies"][shape], spec, s, shape)
        ax = style_axes(top.add_subplot(gs[1, col]))
        for where, (color, label) in WHERE.items():
            ax.plot(t, tr[f"{shape} {where}"], color=color, lw=1.0 if where == "soma" else 1.3, label=label)
        d, w = m["step"]
        ax.axvspan(d, d + w, color=COLORS["stim"], alpha=0.12, lw=0)
        ax.set_xlabel("time (ms)")
        ax.set_ylim(-85, 60)
        key = shape.replace("-", "_")
        starts = s[f"spike_starts_{key}"]
        ax.set_title(f"{s['spikes_at_output_' + key]} spikes reach the far end"
                     + (f"\n(0 mV first at the {starts})" if starts else ""), fontsize=7.5)
        if col == 0:
            ax.set_ylabel("V (mV)")
            top.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=9,
                       frameon=False)
    top.suptitle(f"Same channels, four shapes: the shape decides where input enters, how much it takes "
                 f"({s['step_nA']:g} nA for 50 ms here) and which way the spike runs;\nbelow, three of them "
                 f"in a reflex arc", fontsize=10)
    reflex_figure.draw(bottom, res)
    return fig
