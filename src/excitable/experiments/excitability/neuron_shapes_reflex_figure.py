"""The reflex-arc row of the neuron-shapes figure: the circuit drawn by shape, V along the path with each
stage's time and the synaptic delays marked, and the spikes sent to both muscles."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, EXCITATORY, GREY, INHIBITORY, style_axes
from excitable.experiments.excitability import neuron_shapes_reflex as rf

#: The traces along the path, top to bottom: (trace, label, colour).
PATH = (("sensory input", "sensory ending\n(in the muscle)", COLORS["v"]),
        ("sensory output", "sensory axon\nin the spinal cord", COLORS["v"]),
        ("interneuron soma", "inhibitory\ninterneuron", COLORS["v"]),
        ("extensor soma", "extensor\nmotor neuron", COLORS["v"]),
        ("flexor soma", "flexor\nmotor neuron", COLORS["v"]))
GAP_MV = 115.0  # vertical offset between stacked traces


def _cell(ax, xy, r, dendrites, axon_to, color):
    """A soma disc with short dendrites (angles, length) and an axon line to ``axon_to``."""
    from matplotlib.patches import Circle

    x, y = xy
    for ang, length in dendrites:
        ax.plot([x, x + length * np.cos(ang)], [y, y + length * np.sin(ang)], color=GREY, lw=1.5)
    if axon_to is not None:
        ax.plot([x, axon_to[0]], [y, axon_to[1]], color=color, lw=1.6)
    ax.add_patch(Circle(xy, r, color=color, zorder=3))


def _synapse(ax, xy, color, text):
    ax.plot(*xy, marker=">" if color == EXCITATORY else "o", color=color, ms=8, zorder=4)
    ax.annotate(text, xy, xytext=(4, 6), textcoords="offset points", fontsize=8, color=color)


def draw_circuit(ax):
    """The arc by shape: pseudo-unipolar sensory neuron (T-shaped), interneuron, two multipolar motor
    neurons; excitatory synapses as wedges, the inhibitory one as a dot."""
    from matplotlib.patches import FancyBboxPatch

    v, fs = COLORS["v"], 8.5
    ax.add_patch(FancyBboxPatch((3.9, 0.3), 4.3, 5.0, boxstyle="round,pad=0.1", color="0.93", lw=0))
    ax.text(6.05, 0.45, "spinal cord", ha="center", fontsize=fs, color="0.4")
    # Sensory neuron: the ending in the muscle spindle, the T, the soma on its stem, the central axon.
    ax.plot([0.3, 4.5], [4.5, 4.5], color=v, lw=1.6)
    ax.plot([2.2, 2.2], [4.5, 5.2], color=v, lw=1.6)
    _cell(ax, (2.2, 5.3), 0.25, (), None, v)
    ax.text(2.2, 5.75, "sensory neuron\n(pseudo-unipolar)", ha="center", fontsize=fs)
    ax.annotate("stretch", (0.3, 4.5), xytext=(0.3, 3.3), ha="center", fontsize=fs, color=COLORS["stim"],
                arrowprops=dict(arrowstyle="->", color=COLORS["stim"]))
    ax.plot([4.5, 4.5], [4.5, 2.0], color=v, lw=1.6)
    # Monosynaptic: onto the extensor's motor neuron.
    ax.plot([4.5, 6.05], [4.0, 4.0], color=v, lw=1.0)
    _synapse(ax, (6.05, 4.0), EXCITATORY, "")
    _cell(ax, (6.5, 4.0), 0.38, ((2.0, 0.9), (2.6, 0.8), (-2.0, 0.9)), (9.8, 4.0), v)
    ax.text(6.5, 4.75, "extensor\nmotor neuron", ha="center", fontsize=fs)
    ax.text(9.8, 3.55, "to the extensor", ha="right", fontsize=fs, color=EXCITATORY)
    # Disynaptic: onto the interneuron, which inhibits the flexor's motor neuron.
    ax.plot([4.5, 5.25], [2.0, 2.0], color=v, lw=1.0)
    _synapse(ax, (5.25, 2.0), EXCITATORY, "")
    _cell(ax, (5.6, 2.0), 0.22, ((2.3, 0.6), (-2.3, 0.6)), (6.55, 1.2), INHIBITORY)
    ax.text(5.0, 2.6, "inhibitory\ninterneuron", ha="right", fontsize=fs, color=INHIBITORY)
    _synapse(ax, (6.6, 1.2), INHIBITORY, "")
    _cell(ax, (7.1, 1.2), 0.38, ((2.0, 0.9), (1.2, 0.8)), (9.8, 1.2), v)
    ax.text(8.0, 1.75, "flexor\nmotor neuron", ha="left", fontsize=fs)
    ax.text(9.8, 0.75, "to the flexor", ha="right", fontsize=fs)
    ax.set_xlim(-0.2, 10.0)
    ax.set_ylim(0.2, 6.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The knee jerk: one synapse to the extensor,\ntwo (via an interneuron) to the flexor",
                 fontsize=10)


def _delay(ax, t0, t1, y, color, text):
    """A double arrow from t0 to t1 at height y, labelled with the delay."""
    ax.annotate("", (t1, y), xytext=(t0, y), arrowprops=dict(arrowstyle="<->", color=color, lw=1.0,
                                                            shrinkA=0, shrinkB=0))
    ax.text(t1 + 0.15, y, text, color=color, fontsize=8, va="center")


def draw_path(ax, res):
    """V at each stage (stacked), the stages' times and the synaptic delays marked (zoomed on 10 ms)."""
    t, tr, s = res.t, res.traces, res.summary
    t0 = rf.STRETCH_AT_MS
    keep = (t >= t0 - 0.5) & (t <= t0 + 10.0)
    for k, (trace, label, color) in enumerate(PATH):
        base = -k * GAP_MV
        ax.plot(t[keep], tr[f"reflex {trace}"][keep] + base, color=color, lw=1.1)
        if trace == "flexor soma":
            ax.plot(t[keep], tr["reflex flexor without inhibition soma"][keep] + base, color=GREY, lw=1.0,
                    ls="--", label="flexor without the interneuron")
        ax.text(t0 - 0.6, base - 70.0, label, ha="right", va="center", fontsize=8)
    ax.axvspan(t0, t0 + rf.STRETCH_MS, color=COLORS["stim"], alpha=0.12, lw=0)
    ms = {k: s[f"reflex_{k}_ms"] for k in ("sensory_terminal", "extensor_epsp", "interneuron_epsp",
                                           "interneuron_axon_end", "flexor_ipsp")}
    if None not in ms.values():
        a = {k: t0 + x for k, x in ms.items()}
        _delay(ax, a["sensory_terminal"], a["extensor_epsp"], -3 * GAP_MV - 45, EXCITATORY,
               f"{s['reflex_synaptic_delay_extensor_ms']:.2f} ms")
        _delay(ax, a["sensory_terminal"], a["interneuron_epsp"], -2 * GAP_MV - 45, EXCITATORY,
               f"{s['reflex_synaptic_delay_interneuron_ms']:.2f} ms")
        _delay(ax, a["interneuron_axon_end"], a["flexor_ipsp"], -4 * GAP_MV - 45, INHIBITORY,
               f"{s['reflex_synaptic_delay_flexor_ms']:.2f} ms")
        for x in (a["sensory_terminal"], a["interneuron_axon_end"]):
            ax.axvline(x, color=GREY, lw=0.7, ls=":")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.plot([t0 + 9.6, t0 + 9.6], [40, -10], color="k", lw=1.5)
    ax.text(t0 + 9.5, 15, "50 mV", ha="right", va="center", fontsize=8)
    ax.set_xlabel("time after the tap (ms)")
    ax.set_xticks(t0 + np.arange(0, 11, 2))
    ax.set_xticklabels([f"{x:g}" for x in np.arange(0, 11, 2)])
    ax.set_xlim(t0 - 0.5, t0 + 10.0)
    ax.legend(loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1.0, -0.02))
    ax.set_title(f"About {s['reflex_synaptic_delay_extensor_ms']:.1f} ms at each synapse (arrows); the sensory"
                 f"\nspike takes {s['reflex_sensory_conduction_ms']:.1f} ms from the ending to the cord",
                 fontsize=10)


def draw_trains(ax, res):
    """Spikes sent to the muscles: the extensor fires, the flexor falls silent (its control goes on)."""
    t, tr, s = res.t, res.traces, res.summary
    rows = (("sensory output", "sensory", COLORS["v"]), ("interneuron output", "interneuron", INHIBITORY),
            ("extensor output", "extensor", EXCITATORY), ("flexor output", "flexor", COLORS["v"]),
            ("flexor without inhibition output", "flexor, no\ninterneuron", GREY))
    for k, (trace, label, color) in enumerate(rows):
        v = tr[f"reflex {trace}"]
        up = t[1:][(v[1:] >= 0.0) & (v[:-1] < 0.0)]
        ax.vlines(up, -k - 0.35, -k + 0.35, color=color, lw=1.6)
    ax.set_yticks(-np.arange(len(rows)), [r[1] for r in rows], fontsize=8)
    ax.axvspan(rf.STRETCH_AT_MS, rf.STRETCH_AT_MS + rf.STRETCH_MS, color=COLORS["stim"], alpha=0.12, lw=0)
    ax.set_xlim(0, t[-1])
    ax.set_xlabel("time (ms)")
    ax.set_title(f"{rf.COUNT_MS:.0f} ms after the tap: extensor\n{s['reflex_extensor_spikes']} spikes, flexor "
                 f"{s['reflex_flexor_spikes']}\n({s['reflex_flexor_spikes_without_inhibition']} "
                 "without inhibition)",
                 fontsize=10)


def draw(fig, res) -> None:
    """The reflex arc on (sub)figure ``fig``: circuit, path (zoomed, delays marked), spike trains."""
    gs = fig.add_gridspec(1, 3, width_ratios=(1.35, 1.45, 0.9))
    draw_circuit(fig.add_subplot(gs[0, 0]))
    draw_path(style_axes(fig.add_subplot(gs[0, 1])), res)
    draw_trains(style_axes(fig.add_subplot(gs[0, 2])), res)
