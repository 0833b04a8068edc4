"""The voltage-clamp figure: Na+ and K+ currents and conductances at each step, against the closed
forms.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, grid_figure, style_axes


def plot_voltage_clamp(res):
    """Command steps; INa and IK families; gNa and gK at the probe level vs closed form; I-V curves."""
    import matplotlib

    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["hold"]
    levels = m["levels"]
    cmap = matplotlib.colormaps["viridis"]
    span = max(levels) - min(levels) or 1.0
    col = {vc: cmap(0.9 * (vc - min(levels)) / span) for vc in levels}
    fig, gs = grid_figure(11.5, 8.0, 3, 2, height_ratios=[0.55, 1.3, 1.3])
    a_c = style_axes(fig.add_subplot(gs[0, 0]))
    a_c2 = style_axes(fig.add_subplot(gs[0, 1], sharex=a_c))
    a_na = style_axes(fig.add_subplot(gs[1, 0], sharex=a_c))
    a_k = style_axes(fig.add_subplot(gs[1, 1], sharex=a_c))
    a_g = style_axes(fig.add_subplot(gs[2, 0], sharex=a_c))
    a_iv = style_axes(fig.add_subplot(gs[2, 1]))
    probe = s["probe_mV"]
    for vc in levels:
        lw = 1.8 if vc == probe else 0.9
        for a in (a_c, a_c2):
            a.plot(t, tr[f"v at {vc:+g} (mV)"], color=col[vc], lw=lw)
        a_na.plot(t, tr[f"INa at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw)
        a_k.plot(t, tr[f"IK at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw, label=f"{vc:+g} mV")
    a_c.set_ylabel("command\nV (mV)", fontsize=8)
    a_c.set_title(f"Voltage clamp, {m['model_description']}, {s['temperature_degC']:g} degC: "
                  f"steps from {m['holding']:g} mV", fontsize=10, loc="left")
    a_na.set_ylabel("INa (uA/cm2)\ninward < 0")
    a_na.set_title("Na+ current: fast on (m), then off although V stays up (h)", fontsize=9)
    a_k.set_ylabel("IK (uA/cm2)\noutward > 0")
    a_k.set_title("K+ current: slower on (n), stays on (no inactivation)", fontsize=9)
    a_k.legend(fontsize=6, frameon=False, loc="upper left", ncol=2, title="step to", title_fontsize=7)
    for a in (a_na, a_k):
        a.axhline(0, color=GREY, lw=0.6)

    g_na, g_k = tr[f"gNa at {probe:+g} (mS/cm2)"], tr[f"gK at {probe:+g} (mS/cm2)"]
    a_g.plot(t, g_na, color=COLORS["na"], lw=1.8, label="gNa = gNa_max m^3 h (simulated)")
    a_g.plot(t, g_k, color=COLORS["k"], lw=1.8, label="gK = gK_max n^4 (simulated)")
    every = max(1, int(round(0.25 / (res.t[1] - res.t[0]))))
    for key, c in (("gNa", COLORS["na"]), ("gK", COLORS["k"])):
        a_g.plot(t[::every], tr[f"{key} closed form at {probe:+g} (mS/cm2)"][::every], "o", ms=2.5,
                 color=c, mfc="white", mew=0.8)
    a_g.plot([], [], "o", color=GREY, mfc="white", ms=3,
             label="closed form: x(t) = x_inf - (x_inf - x0) e^(-t/tau)")
    if s["probe_inactivation_tau_ms"] is not None:
        a_g.text(0.98, 0.1, f"INa decays with tau = {s['probe_inactivation_tau_ms']:.3f} ms\n"
                 f"(tau_h = 1/(alpha_h + beta_h) = {s['tau_h_closed_form_ms']:.3f} ms)\n"
                 f"peak INa {s['probe_peak_ina_time_ms']:.2f} ms after the step",
                 transform=a_g.transAxes, ha="right", va="bottom", fontsize=8)
    a_g.set_ylabel(f"conductance at {probe:g} mV\n(mS/cm2)")
    a_g.set_xlabel("time after the step (ms)")
    a_g.legend(fontsize=7, frameon=False, loc="upper right")
    a_k.set_xlabel("time after the step (ms)")
    a_g.set_xlim(-1.0, m["duration"] + 2.0)

    lv = np.asarray(s["step_levels_mV"])
    a_iv.plot(lv, s["peak_ina_uA_cm2"], "o-", color=COLORS["na"], ms=3.5, label="peak INa")
    a_iv.plot(lv, s["ik_end_uA_cm2"], "s-", color=COLORS["k"], ms=3.5, label="IK at the end of the step")
    a_iv.axhline(0, color=GREY, lw=0.6)
    a_iv.axvline(s["eNa_mV"], color=COLORS["na"], lw=0.8, ls="--")
    if s["ina_reversal_mV"] is not None:
        a_iv.annotate(f"INa reverses at {s['ina_reversal_mV']:.1f} mV (ENa = {s['eNa_mV']:g})",
                      (s["ina_reversal_mV"], 0), xytext=(0.3, 0.3), textcoords="axes fraction", fontsize=8,
                      arrowprops=dict(arrowstyle="->", lw=0.6))
    a_iv.set_xlabel("step voltage (mV)")
    a_iv.set_ylabel("current (uA/cm2)")
    a_iv.set_title("Current-voltage curves", fontsize=9)
    a_iv.legend(fontsize=8, frameon=False, loc="upper left")
    return fig
