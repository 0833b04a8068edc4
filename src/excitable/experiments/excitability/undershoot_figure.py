"""The undershoot figure: one spike and a long step, control against a slowed and a faster K+ gate."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, OKABE_ITO, grid_figure, reference_lines,
                                                  stim_strip, style_axes)


def plot_undershoot(res):
    """Single spikes and their n gate (left) and spike trains under a long step (right), per condition."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    names = m["conditions"]
    cols = [COLORS["v"], OKABE_ITO["vermillion"], OKABE_ITO["sky"]]
    fig, gs = grid_figure(12.0, 7.0, 4, 2, width_ratios=[1.0, 1.5], height_ratios=[1, 1, 1, 0.35])
    a_v = style_axes(fig.add_subplot(gs[0:2, 0]))
    a_n = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_ss = style_axes(fig.add_subplot(gs[3, 0], sharex=a_v))
    a_tr = [style_axes(fig.add_subplot(gs[i, 1])) for i in range(3)]
    a_st = style_axes(fig.add_subplot(gs[3, 1], sharex=a_tr[0]))
    for a in a_tr[1:]:
        a.sharex(a_tr[0])
        a.sharey(a_tr[0])
    rest = s["rest_mV"][0]
    for j, (name, col) in enumerate(zip(names, cols)):
        lab = (f"{name} (τ$_n$ × {s['tau_n_scale'][j]:g}): undershoot {s['undershoot_depth_mV'][j]:.1f} mV "
               f"for {s['undershoot_duration_ms'][j]:.0f} ms")
        a_v.plot(t, tr[f"v single spike, {name} (mV)"], color=col, lw=1.6 if j == 0 else 1.2, label=lab)
        k = int(np.argmin(np.abs(t - s["undershoot_time_ms"][j])))
        a_v.plot(t[k], s["undershoot_mV"][j], "o", color=col, ms=4)
        a_n.plot(t, tr[f"n single spike, {name}"], color=col, lw=1.4, label=name)
        v = tr[f"v long step, {name} (mV)"]
        a_tr[j].plot(t, v, color=col, lw=0.9)
        a_tr[j].axhline(rest, color=GREY, lw=0.6, ls=":")
        a_tr[j].set_title(f"{name}: {s['rate_hz'][j]:.0f} spikes/s (second half of the step)", fontsize=10,
                          loc="left")
        a_tr[j].set_ylabel("V (mV)")
    reference_lines(a_v, rest=rest, e_na=m.get("e_na"), e_k=m.get("e_k"), x=0.02)
    a_v.set_ylabel("V (mV)")
    a_v.set_title(f"One spike ({m['model']}, {s['temperature_degC']:g} °C)", fontsize=10, loc="left")
    fig.suptitle(f"After a spike V dips toward E$_K$, {s['undershoot_depth_mV'][0]:.1f} mV below rest for "
                 f"{s['undershoot_duration_ms'][0]:.0f} ms: slower K+ gates deepen it and slow the firing")
    a_v.legend(fontsize=9, frameon=False, loc="upper right")
    hi = min(m["window"], t[-1], 5.0 + 1.3 * max(a + b for a, b in zip(s["undershoot_time_ms"],
                                                                     s["undershoot_duration_ms"])))
    lo_v = min(s["undershoot_mV"]) - 3.0
    top = max(max(s["peak_mV"]), m.get("e_na", -1e9)) + 8.0  # E_Na and its label inside the axes
    a_v.set_ylim(min(lo_v - 2.0, m.get("e_k", lo_v) - 4.0), top)
    ins = a_v.inset_axes([0.45, 0.25, 0.52, 0.33])
    for j, (name, col) in enumerate(zip(names, cols)):
        ins.plot(t, tr[f"v single spike, {name} (mV)"], color=col, lw=1.1)
    ins.axhline(rest, color=GREY, lw=0.7, ls=":")
    ins.set_xlim(2.0, hi)
    ins.set_ylim(lo_v, rest + 3.0)
    ins.set_title("the undershoot, enlarged", fontsize=9)
    ins.tick_params(labelsize=8)
    a_n.set_ylabel("n (K+ gate)")
    a_n.text(0.98, 0.92, "slower n: K+ channels stay open longer", transform=a_n.transAxes, ha="right",
             va="top", fontsize=9)
    pulse = np.where((t >= 0) & (t < 1.0), m["pulse_amplitude"], 0.0)
    stim_strip(a_ss, t, pulse)
    a_ss.set_xlabel("time after stimulus onset (ms)")
    a_v.set_xlim(-2.0, hi)
    step = np.where((t >= 0) & (t < m["step_duration"]), m["step_amplitude"], 0.0)
    stim_strip(a_st, t, step)
    a_st.set_xlabel("time after step onset (ms)")
    a_tr[0].set_xlim(-5.0, min(t[-1], 150.0))
    return fig
