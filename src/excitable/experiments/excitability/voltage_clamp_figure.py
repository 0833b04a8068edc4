"""The voltage-clamp figure: Na+ and K+ currents and conductances at each step, against the closed
forms.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, VOLTAGE_CMAP, grid_figure, legend_outside,
                                                  style_axes, voltage_colorbar, voltage_norm)


def plot_voltage_clamp(res):
    """Command steps; INa and IK families; gNa and gK at the probe level vs closed form; I-V curves."""
    import matplotlib

    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["hold"]
    levels = m["levels"]
    # each step in the colour of its voltage (the voltage colour map every figure shares)
    cmap, norm = matplotlib.colormaps[VOLTAGE_CMAP], voltage_norm(min(min(levels), -80.0), max(max(levels), 40.0))
    col = {vc: cmap(norm(vc)) for vc in levels}
    # stacked in one column: readable at phone width
    fig, gs = grid_figure(8.0, 14.0, 5, 1, height_ratios=[0.55, 1.3, 1.3, 1.3, 1.3])
    a_c = style_axes(fig.add_subplot(gs[0, 0]))
    a_na = style_axes(fig.add_subplot(gs[1, 0], sharex=a_c))
    a_k = style_axes(fig.add_subplot(gs[2, 0], sharex=a_c))
    a_g = style_axes(fig.add_subplot(gs[3, 0], sharex=a_c))
    a_iv = style_axes(fig.add_subplot(gs[4, 0]))
    probe = s["probe_mV"]
    for vc in levels:
        lw = 2.2 if vc == probe else 1.1
        a_c.plot(t, tr[f"v at {vc:+g} (mV)"], color=col[vc], lw=lw)
        a_na.plot(t, tr[f"INa at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw)
        a_k.plot(t, tr[f"IK at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    voltage_colorbar(fig, sm, [a_c, a_na, a_k], label=f"step to V (mV); thick: {probe:+g} mV", fraction=0.03,
                     aspect=40)
    a_c.set_ylabel("command\nV (mV)")
    description = m["model_description"].replace(" um", " µm")
    a_c.set_title(f"Voltage steps from {m['holding']:g} mV: Na+ channels open fast and close by themselves, "
                  f"K+ channels\nopen slowly and stay open ({description}, {s['temperature_degC']:g} °C)",
                  loc="left", fontsize=10)
    a_na.set_ylabel("Na+ current\n(µA/cm², inward < 0)")
    a_na.set_title("Na+ current: fast on (m), then off although V stays up (h)", loc="left")
    a_k.set_ylabel("K+ current\n(µA/cm², outward > 0)")
    a_k.set_title("K+ current: slower on (n), stays on (no inactivation)", loc="left")
    for a in (a_na, a_k):
        a.axhline(0, color=GREY, lw=0.6)

    g_na, g_k = tr[f"gNa at {probe:+g} (mS/cm2)"], tr[f"gK at {probe:+g} (mS/cm2)"]
    a_g.plot(t, g_na, color=COLORS["na"], lw=1.8, label="gNa = ḡNa m³h")
    a_g.plot(t, g_k, color=COLORS["k"], lw=1.8, label="gK = ḡK n⁴")
    every = max(1, int(round(0.25 / (res.t[1] - res.t[0]))))
    for key, c in (("gNa", COLORS["na"]), ("gK", COLORS["k"])):
        a_g.plot(t[::every], tr[f"{key} closed form at {probe:+g} (mS/cm2)"][::every], "o", ms=2.5,
                 color=c, mfc="white", mew=0.8)
    a_g.plot([], [], "o", color=GREY, mfc="white", ms=3,
             label="closed form\n(dots)")
    if s["probe_inactivation_tau_ms"] is not None:
        a_g.text(0.98, 0.1, f"INa decays with τ = {s['probe_inactivation_tau_ms']:.3f} ms\n"
                 f"(τ_h = 1/(α_h + β_h) = {s['tau_h_closed_form_ms']:.3f} ms)\n"
                 f"peak INa {s['probe_peak_ina_time_ms']:.2f} ms after the step",
                 transform=a_g.transAxes, ha="right", va="bottom", fontsize=9)
    a_g.set_ylabel(f"conductance at {probe:g} mV\n(mS/cm²)")
    a_g.set_xlabel("time after the step (ms)")
    a_g.set_title(f"At {probe:g} mV the conductances follow HH's closed forms", loc="left")
    legend_outside(a_g)
    a_g.set_xlim(-1.0, m["duration"] + 2.0)

    lv = np.asarray(s["step_levels_mV"])
    a_iv.plot(lv, s["peak_ina_uA_cm2"], "o-", color=COLORS["na"], ms=3.5, label="peak INa")
    a_iv.plot(lv, s["ik_end_uA_cm2"], "s-", color=COLORS["k"], ms=3.5, label="IK at the\nend of the step")
    a_iv.axhline(0, color=GREY, lw=0.6)
    a_iv.axvline(s["eNa_mV"], color=COLORS["na"], lw=0.8, ls="--")
    if s["ina_reversal_mV"] is not None:
        a_iv.annotate(f"INa reverses at {s['ina_reversal_mV']:.1f} mV (ENa = {s['eNa_mV']:g})",
                      (s["ina_reversal_mV"], 0), xytext=(0.3, 0.3), textcoords="axes fraction", fontsize=9,
                      arrowprops=dict(arrowstyle="->", lw=0.6))
    a_iv.set_xlabel("step voltage (mV)")
    a_iv.set_ylabel("current (µA/cm²)")
    a_iv.set_title("Current-voltage curves: Na+ current reverses at E_Na", loc="left")
    legend_outside(a_iv)
    return fig
