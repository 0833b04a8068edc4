"""The hyper-depolarization figure: V for each opened conductance with its reversal potential, the
channel currents, and the shunt test.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, OKABE_ITO, grid_figure, style_axes


def plot_hyper_depolarization(res):
    """V per opened conductance with its reversal potential, the channel currents, and the shunt test."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t
    names = m["conditions"]
    cols = [COLORS["k"], OKABE_ITO["green"], OKABE_ITO["purple"], COLORS["na"]]
    fig, gs = grid_figure(12.0, 7.2, 3, 2, width_ratios=[2.2, 1.0], height_ratios=[2.2, 1.2, 0.45])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_i = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_s = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_z = style_axes(fig.add_subplot(gs[0:2, 1]))
    on0, on1 = m["t_on"], m["t_on"] + m["duration"]
    for a in (a_v, a_i):
        a.axvspan(on0, on1, color=OKABE_ITO["yellow"], alpha=0.15, lw=0)
    a_v.plot(t, tr["v, channels closed (mV)"], color=GREY, lw=1.0, label="no channels opened")
    for j, (name, col) in enumerate(zip(names, cols)):
        e = s["e_mV"][j]
        a_v.plot(t, tr[f"v, {name} (mV)"], color=col, lw=1.6, label=f"{name}: {s['effect'][j]}")
        a_v.axhline(e, color=col, lw=0.8, ls="--")
        a_v.text(t[-1], e, f" E = {e:.0f} mV", color=col, fontsize=7, va="center", ha="left")
        if s["v_ss_predicted_mV"][j] is not None:
            a_v.plot(on0 + 0.4 * m["duration"], s["v_ss_predicted_mV"][j], "x", color="k", ms=6, mew=1.2)
        a_i.plot(t, tr[f"ligand current, {name} (uA/cm2)"], color=col, lw=1.3)
    if s["v_ss_predicted_mV"][0] is not None:
        a_v.plot([], [], "x", color="k", label="(g_rest V_rest + g E) / (g_rest + g)")
    a_v.set_ylabel("V (mV)")
    a_v.set_title(f"Opening {s['g_mS_cm2']:g} mS/cm2 of K+, Cl- or Na+ channels: {m['description']}",
                  fontsize=10, loc="left")
    a_v.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(0.0, 0.62))
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("channel current\n(uA/cm2, outward > 0)")
    a_i.text(0.01, 0.95, "K+ out / Cl- in: outward current, V falls;  Na+ in: inward current, V rises",
             transform=a_i.transAxes, fontsize=8, va="top")
    lig = np.where((t >= on0) & (t < on1), 1.0, 0.0)
    a_s.fill_between(t, lig * s["g_mS_cm2"], step="pre", color=OKABE_ITO["yellow"], alpha=0.8, lw=0,
                     label="ligand present: channels open (mS/cm2)")
    a_s.fill_between(t, tr["test current (uA/cm2)"], step="pre", color=COLORS["stim"], alpha=0.8, lw=0,
                     label="test current pulse (uA/cm2)")
    a_s.legend(fontsize=7, frameon=False, loc="upper right")
    a_s.set_ylabel("input", fontsize=8)
    a_s.set_xlabel("time (ms)")
    a_v.set_xlim(0, t[-1])

    t0 = m["t_on"] + 0.5 * m["duration"]
    k0 = int(np.searchsorted(t, t0))
    win = (t >= t0 - 2.0) & (t <= t0 + m["test_duration"] + 15.0)
    base = tr["v, channels closed (mV)"]
    a_z.plot(t[win] - t0, base[win] - base[k0], color=GREY, lw=1.6,
             label=f"channels closed: {s['test_response_closed_mV']:.2f} mV")
    j = 2  # the shunt: same V, lower resistance
    v = tr[f"v, {names[j]} (mV)"]
    a_z.plot(t[win] - t0, v[win] - v[k0], color=cols[j], lw=1.6,
             label=f"{names[j]}: {s['test_response_open_mV'][j]:.2f} mV")
    a_z.fill_between(t[win] - t0, np.where((t[win] >= t0) & (t[win] < t0 + m["test_duration"]), -0.3, 0.0),
                     color=COLORS["stim"], alpha=0.8, lw=0)
    a_z.set_xlabel("time after the test pulse (ms)")
    a_z.set_ylabel("response to the test pulse (mV)")
    a_z.set_title("Shunting: V does not move, but the same test\npulse gives a smaller response "
                  f"(x{s['test_response_ratio'][j]:.2f})", fontsize=9)
    a_z.legend(fontsize=8, frameon=False, loc="upper right")
    return fig
