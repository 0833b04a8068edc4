"""The gates-overlap figure: V, the open probabilities with their overlap shaded, the opposing
currents and the charge bars.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, OKABE_ITO, grid_figure, stimulus_axis,
                                                  style_axes)


def plot_gates_overlap(res):
    """V, the open probabilities with their overlap shaded, the opposing currents, and the charge bars."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    fig, gs = grid_figure(11.0, 7.2, 3, 2, width_ratios=[3.0, 1.25])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_p = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_i = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_q = style_axes(fig.add_subplot(gs[:2, 1]))
    a_t = fig.add_subplot(gs[2, 1])
    a_t.axis("off")
    lo = max(s["na_open_window_ms"][0], s["k_open_window_ms"][0])
    hi = min(s["na_open_window_ms"][1], s["k_open_window_ms"][1])
    for a in (a_v, a_p, a_i):
        a.axvspan(lo, hi, color=OKABE_ITO["green"], alpha=0.18, lw=0)
    a_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label=f"V at {s['temperature_degC']:g} degC")
    a_v.plot(t, tr["v at compare temperature (mV)"], color=GREY, lw=1.0, ls="--",
             label=f"V at {s['temperatures_degC'][1]:g} degC")
    stimulus_axis(a_v, t, tr["i_stim"])
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=8, frameon=False, loc="upper right")
    a_v.set_title(f"Na+ and K+ channels open together: {m['model_description']}", fontsize=10)

    lvl = m["level"]
    for key, col, name, peak in (("open Na+ (m^3 h)", COLORS["na"], "Na+ channels open (m^3 h)",
                                  s["peak_na_open"]),
                                 ("open K+ (n^4)", COLORS["k"], "K+ channels open (n^4)", s["peak_k_open"])):
        a_p.plot(t, tr[key], color=col, lw=1.8, label=name)
        a_p.axhline(lvl * peak, color=col, lw=0.7, ls=":")
    a_p.annotate(f"both open: {s['overlap_ms']:.2f} ms", (hi, 0.6), xytext=(hi + 1.2, 0.6), va="center",
                 xycoords=a_p.get_xaxis_transform(), textcoords=a_p.get_xaxis_transform(), fontsize=9,
                 arrowprops=dict(arrowstyle="->", lw=0.7))
    a_p.set_ylabel("open probability")
    a_p.legend(fontsize=8, frameon=False, loc="center right", title=f"dotted: {lvl:g} x peak",
               title_fontsize=7)

    ina, ik = tr[m["na"]], tr[m["k"]]
    a_i.plot(t, ina, color=COLORS["na"], lw=1.4, label="INa (inward, < 0)")
    a_i.plot(t, ik, color=COLORS["k"], lw=1.4, label="IK (outward, > 0)")
    a_i.fill_between(t, ina, 0, where=(t >= lo) & (t <= hi), color=COLORS["na"], alpha=0.25, lw=0,
                     label="Na+ entry while K+ leaves")
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("current (uA/cm2)")
    a_i.set_xlabel("time after stimulus onset (ms)")
    a_i.legend(fontsize=8, frameon=False, loc="lower right")
    a_i.set_xlim(-1, min(t[-1], 14.0))

    temps = s["temperatures_degC"]
    q = s["na_charge_uC_cm2_by_temperature"]
    ratio = s["na_charge_ratio_by_temperature"]
    cmdv = [qq / r for qq, r in zip(q, ratio)]
    xs = np.arange(len(temps))
    a_q.bar(xs - 0.2, q, 0.38, color=COLORS["na"], label="Na+ charge per AP")
    a_q.bar(xs + 0.2, cmdv, 0.38, color=COLORS["cap"], label="minimum: Cm x (V_peak - V_rest)")
    for x, qq, r in zip(xs, q, ratio):
        a_q.text(x - 0.2, qq, f"{r:.1f}x", ha="center", va="bottom", fontsize=9)
    a_q.set_xticks(xs, [f"{T:g} degC" for T in temps])
    a_q.set_ylabel("charge (uC/cm2)")
    a_q.set_title("Na+ entry vs the charge\nthat just charges the membrane", fontsize=9)
    a_q.legend(fontsize=7, frameon=False, loc="center right")
    ov = s["overlap_ms_by_temperature"]
    a_t.text(0, 1, "\n".join([
        "Both gates open (green): Na+ flows in",
        "while K+ flows out, so much of the Na+",
        "charge is cancelled instead of charging",
        "the membrane.",
        "",
        *[f"{T:g} degC: overlap {o:.2f} ms, Na+ {qq:.2f} uC/cm2" for T, o, qq in zip(temps, ov, q)],
        f"(= {s['na_charge_pmol_cm2']:.1f} pmol/cm2 at {temps[0]:g} degC)",
    ]), va="top", fontsize=8, transform=a_t.transAxes)
    return fig
