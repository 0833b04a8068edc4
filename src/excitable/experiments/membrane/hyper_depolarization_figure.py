"""The hyper-depolarization figure: V for each opened conductance with its reversal potential, the
channel currents, and the shunt test.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, TRANSMITTER, grid_figure, legend_outside, style_axes


def plot_hyper_depolarization(res):
    """V per opened conductance with its reversal potential, the channel currents, and the shunt test."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t
    names = m["conditions"]
    cols = [COLORS["k"], COLORS["cl"], COLORS["cl"], COLORS["na"]]  # the shunting Cl- trace is dashed
    styles = ["-", "-", "--", "-"]
    # stacked in one column: readable at phone width
    fig, gs = grid_figure(8.0, 11.0, 4, 1, height_ratios=[2.4, 1.3, 0.55, 1.8])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_i = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_s = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_z = style_axes(fig.add_subplot(gs[3, 0]))
    on0, on1 = m["t_on"], m["t_on"] + m["duration"]
    for a in (a_v, a_i):
        a.axvspan(on0, on1, color=TRANSMITTER, alpha=0.12, lw=0)
    a_v.plot(t, tr["v, channels closed (mV)"], color=GREY, lw=1.0, label="no channels opened")
    for j, (name, col, ls) in enumerate(zip(names, cols, styles)):
        e = s["e_mV"][j]
        a_v.plot(t, tr[f"v, {name} (mV)"], color=col, lw=1.8, ls=ls, label=f"{name}:\n{s['effect'][j]}")
        a_v.axhline(e, color=col, lw=0.8, ls=":")
        a_v.text(0.005, e, f"E = {e:.0f} mV", color=col, fontsize=9, va="bottom", ha="left",
                 transform=a_v.get_yaxis_transform())
        if s["v_ss_predicted_mV"][j] is not None:
            a_v.plot(on0 + 0.4 * m["duration"], s["v_ss_predicted_mV"][j], "x", color="k", ms=6, mew=1.2)
        a_i.plot(t, tr[f"ligand current, {name} (uA/cm2)"], color=col, lw=1.4, ls=ls)
    if s["v_ss_predicted_mV"][0] is not None:
        a_v.plot([], [], "x", color="k", label="predicted:\n(g_rest V_rest + g E)\n/ (g_rest + g)")
    a_v.set_ylabel("V (mV)")
    description = m["description"].replace("kOhm", "kΩ").replace("cm2", "cm²")
    a_v.set_title(f"K+ or Cl- channels pull V down towards their E, Na+ channels push it up\n"
                  f"(opening {s['g_mS_cm2']:g} mS/cm²; {description})", loc="left")
    legend_outside(a_v)
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("channel current\n(µA/cm², outward > 0)")
    a_i.text(0.01, 0.05, "K+ out / Cl- in: outward current, V falls;  Na+ in: inward current, V rises",
             transform=a_i.transAxes, fontsize=9, va="bottom")
    lig = np.where((t >= on0) & (t < on1), 1.0, 0.0)
    a_s.fill_between(t, lig * s["g_mS_cm2"], step="pre", color=TRANSMITTER, alpha=0.8, lw=0,
                     label="ligand present:\nchannels open (mS/cm²)")
    a_s.fill_between(t, tr["test current (uA/cm2)"], step="pre", color=COLORS["stim"], alpha=0.8, lw=0,
                     label="test current\npulse (µA/cm²)")
    legend_outside(a_s)
    a_s.set_ylabel("input")
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
    a_z.plot(t[win] - t0, v[win] - v[k0], color=cols[j], lw=1.6, ls=styles[j],
             label=f"{names[j]}: {s['test_response_open_mV'][j]:.2f} mV")
    a_z.fill_between(t[win] - t0, np.where((t[win] >= t0) & (t[win] < t0 + m["test_duration"]), -0.3, 0.0),
                     color=COLORS["stim"], alpha=0.8, lw=0)
    a_z.set_xlabel("time after the test pulse (ms)")
    a_z.set_ylabel("response to the test pulse (mV)")
    a_z.set_title("Shunting: with E(Cl-) at rest V does not move, but the same test pulse\ngives a smaller "
                  f"response (x{s['test_response_ratio'][j]:.2f})", loc="left")
    legend_outside(a_z)
    return fig
