"""The neuron-types figure: each cell type at the same relative step, the f-I curves, and the sensory
neuron's rate code.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, CYCLE, GREY, OKABE_ITO, grid_figure, stim_strip,
                                                  style_axes)


def plot_neuron_types(res):
    """One row per cell type at the same relative step; f-I curves; the sensory neuron's rate code."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    names = s["cells"]
    n = len(names)
    fig, gs = grid_figure(13.0, 1.25 * n + 1.6, n + 1, 2, width_ratios=[2.3, 1.0],
                          height_ratios=[1.0] * n + [0.4])
    rows = [style_axes(fig.add_subplot(gs[i, 0])) for i in range(n)]
    for a in rows[1:]:
        a.sharex(rows[0])
    a_st = style_axes(fig.add_subplot(gs[n, 0], sharex=rows[0]))
    half = (n + 1) // 2
    a_fi = style_axes(fig.add_subplot(gs[:half, 1]))
    a_sn = style_axes(fig.add_subplot(gs[half:, 1]))
    for i, (a, name) in enumerate(zip(rows, names)):
        col = CYCLE[i % len(CYCLE)] if CYCLE[i % len(CYCLE)] != OKABE_ITO["yellow"] else COLORS["v"]
        a.plot(t, tr[f"v, {name} (mV)"], color=col, lw=0.7)
        ratio = s["adaptation_ratio"][i]
        facts = [f"{s['rate_hz'][i]:.0f} spikes/s", f"rheobase {s['rheobase_nA'][i] * 1000:.0f} pA"]
        if ratio is not None:
            facts.append(f"last/first ISI {ratio:.2f}")
        if s["bursts"][i]:
            facts.append(f"burst of {s['longest_burst_spikes'][i]}")
        a.set_title(f"{name}: {m['descriptions'][name]}  ->  {s['classified_as'][i]}  ({', '.join(facts)})",
                    fontsize=8, loc="left", pad=2)
        a.set_ylabel("V (mV)", fontsize=8)
        a.tick_params(labelsize=7)
        a.set_ylim(-100, 60)
        if name.startswith("low-threshold"):
            key = [k for k in tr if k.startswith(f"v, {name} at")][0]
            ins = a.inset_axes([0.56, 0.22, 0.42, 0.62])
            ins.plot(t, tr[key], color=col, lw=0.7)
            ins.set_xlim(-10, 300)
            ins.set_ylim(-100, 60)
            ins.tick_params(labelsize=6)
            ins.text(0.02, 0.97, f"stronger step ({s['lts_demo_step_nA']:g} nA): a T-type Ca2+ burst",
                     transform=ins.transAxes, fontsize=7, va="top")
    step = np.where((t >= 0) & (t < m["duration"]), m["step"], 0.0)
    stim_strip(a_st, t, step, label="step\n(x rheobase)")
    a_st.set_xlabel("time after step onset (ms)")
    rows[0].set_xlim(-m["delay"], m["duration"] + 15.0)

    mult = np.asarray(s["fi_multiples"])
    for i, (name, rates) in enumerate(s["fi_rate_hz"].items()):
        a_fi.plot(mult, rates, "o-", ms=3, lw=1.2, color=CYCLE[names.index(name) % len(CYCLE)],
                  label=name)
    a_fi.axvline(1.0, color=GREY, lw=0.6, ls=":")
    a_fi.set_xlabel("step current (x rheobase)")
    a_fi.set_ylabel("firing rate (spikes/s)")
    a_fi.set_title(f"f-I curves ({m['duration']:g}-ms steps)", fontsize=9)
    a_fi.legend(fontsize=7, frameon=False)
    stim = np.asarray(s["sensory_stimulus"])
    a_sn.semilogx(stim, s["sensory_rate_hz"], "o-", color=CYCLE[names.index("sensory neuron") % len(CYCLE)],
                  ms=3.5)
    a_sn.set_xlabel("stimulus intensity (relative units; receptor current = 1.1 x rheobase x intensity)",
                    fontsize=7)
    a_sn.set_ylabel("firing rate (spikes/s)")
    a_sn.set_title(f"Sensory neuron: a rate code, rising over {s['sensory_monotonic_decades']:.1f} decades "
                   "of stimulus", fontsize=9)
    return fig
