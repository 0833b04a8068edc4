"""The neuron-types figure: each cell type at the same relative step, the f-I curves, and the sensory
neuron's rate code.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, grid_figure, legend_outside, stim_strip, style_axes

#: Cell types are not ions or roles: every trace is V (black); the f-I curves differ by marker and line.
MARKERS = ["o", "s", "^", "v", "D", "P", "X", "*"]
LINES = ["-", "--", "-.", ":", "-", "--", "-.", ":"]


def plot_neuron_types(res):
    """One row per cell type at the same relative step; f-I curves; the sensory neuron's rate code."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    names = s["cells"]
    n = len(names)
    # stacked in one column: readable at phone width
    fig, gs = grid_figure(8.0, 1.45 * n + 6.4, n + 3, 1, height_ratios=[1.0] * n + [0.4, 2.6, 2.3])
    rows = [style_axes(fig.add_subplot(gs[i, 0])) for i in range(n)]
    for a in rows[1:]:
        a.sharex(rows[0])
    a_st = style_axes(fig.add_subplot(gs[n, 0], sharex=rows[0]))
    a_fi = style_axes(fig.add_subplot(gs[n + 1, 0]))
    a_sn = style_axes(fig.add_subplot(gs[n + 2, 0]))
    col = COLORS["v"]
    for i, (a, name) in enumerate(zip(rows, names)):
        a.plot(t, tr[f"v, {name} (mV)"], color=col, lw=0.7)
        ratio = s["adaptation_ratio"][i]
        facts = [f"{s['rate_hz'][i]:.0f} spikes/s", f"rheobase {s['rheobase_nA'][i] * 1000:.0f} pA"]
        if ratio is not None:
            facts.append(f"last/first ISI {ratio:.2f}")
        if s["bursts"][i]:
            facts.append(f"burst of {s['longest_burst_spikes'][i]}")
        a.set_title(f"{name} -> {s['classified_as'][i]}: {m['descriptions'][name]}\n({', '.join(facts)})",
                    fontsize=9, loc="left", pad=2)
        a.set_ylabel("V (mV)", fontsize=9)
        a.tick_params(labelsize=8)
        a.set_ylim(-100, 60)
        if name.startswith("low-threshold"):
            key = [k for k in tr if k.startswith(f"v, {name} at")][0]
            ins = a.inset_axes([0.56, 0.22, 0.42, 0.62])
            ins.plot(t, tr[key], color=col, lw=0.7)
            ins.set_xlim(-10, 300)
            ins.set_ylim(-100, 60)
            ins.tick_params(labelsize=8)
            ins.text(0.02, 0.97, f"stronger step ({s['lts_demo_step_nA']:g} nA):\na T-type Ca2+ burst",
                     transform=ins.transAxes, fontsize=9, va="top")
    step = np.where((t >= 0) & (t < m["duration"]), m["step"], 0.0)
    stim_strip(a_st, t, step, label="step\n(x rheobase)")
    a_st.set_xlabel("time after step onset (ms)")
    rows[0].set_xlim(-m["delay"], m["duration"] + 15.0)

    mult = np.asarray(s["fi_multiples"])
    for i, (name, rates) in enumerate(s["fi_rate_hz"].items()):
        k = names.index(name)
        a_fi.plot(mult, rates, marker=MARKERS[k % len(MARKERS)], ls=LINES[k % len(LINES)], ms=5, lw=1.2,
                  color="0.5" * (k % 2) or col, label=name)
    a_fi.axvline(1.0, color=GREY, lw=0.6, ls=":")
    a_fi.set_xlabel("step current (x rheobase)")
    a_fi.set_ylabel("firing rate (spikes/s)")
    a_fi.set_title(f"Firing rate against current ({m['duration']:g}-ms steps): each type its own curve",
                   fontsize=10, loc="left")
    legend_outside(a_fi)
    stim = np.asarray(s["sensory_stimulus"])
    a_sn.semilogx(stim, s["sensory_rate_hz"], "o-", color=col, ms=4)
    a_sn.set_xlabel("stimulus intensity (relative units; receptor current = 1.1 x rheobase x intensity)",
                    fontsize=9)
    a_sn.set_ylabel("firing rate (spikes/s)")
    a_sn.set_title(f"Sensory neuron: a rate code, rising over {s['sensory_monotonic_decades']:.1f} decades "
                   "of stimulus", fontsize=10, loc="left")
    return fig
