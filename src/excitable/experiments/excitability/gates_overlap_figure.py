"""The gates-overlap figure: V, the open probabilities with their overlap shaded, the opposing
currents and the charge bars.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, OKABE_ITO, grid_figure, reference_lines,
                                                  stimulus_axis, style_axes)
from excitable.experiments.common.phases import label_phases


def _phases(a_v, res, t):
    """Rest, threshold, E_Na and E_K lines and the phases of the spike (times from the onset)."""
    from excitable.analysis import action_potential_summary

    m = res.meta
    ap = action_potential_summary(res.t, res.traces["v"], stimulus_onset_ms=m["delay"])
    ap = {k: (v - m["delay"] if k.endswith("time_ms") and v is not None else v) for k, v in ap.items()}
    reference_lines(a_v, rest=ap["rest_mV"], threshold=ap.get("threshold_mV"), e_na=m.get("e_na"),
                    e_k=m.get("e_k"), x=0.8)
    label_phases(a_v, t, res.traces["v"], ap)


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
    a_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label=f"V at {s['temperature_degC']:g} °C")
    a_v.plot(t, tr["v at compare temperature (mV)"], color=GREY, lw=1.0, ls="--",
             label=f"V at {s['temperatures_degC'][1]:g} °C")
    a_v.set_xlim(-1, min(t[-1], 14.0))  # before the phase labels, which follow it
    _phases(a_v, res, t)
    stimulus_axis(a_v, t, tr["i_stim"])
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=9, frameon=False, loc="upper right")
    a_v.set_title(f"Na+ and K+ channels are open together for {s['overlap_ms']:.2f} ms "
                  f"({m['model']} model, {s['temperature_degC']:g} °C)", fontsize=10)

    lvl = m["level"]
    for key, col, name, peak in (("open Na+ (m^3 h)", COLORS["na"], "Na+ channels open (m³h)",
                                  s["peak_na_open"]),
                                 ("open K+ (n^4)", COLORS["k"], "K+ channels open (n⁴)", s["peak_k_open"])):
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
    a_i.set_ylabel("current (µA/cm²)")
    a_i.set_xlabel("time after stimulus onset (ms)")
    a_i.legend(fontsize=8, frameon=False, loc="lower right")
    a_i.set_xlim(-1, min(t[-1], 14.0))

    temps = s["temperatures_degC"]
    q = s["na_charge_uC_cm2_by_temperature"]
    ratio = s["na_charge_ratio_by_temperature"]
    cmdv = [qq / r for qq, r in zip(q, ratio)]
    xs = np.arange(len(temps))
    a_q.bar(xs - 0.2, q, 0.38, color=COLORS["na"], label="Na+ charge per AP")
    a_q.bar(xs + 0.2, cmdv, 0.38, color=COLORS["cap"], label="minimum: C$_m$ × (V$_{peak}$ − V$_{rest}$)")
    for x, qq, r in zip(xs, q, ratio):
        a_q.text(x - 0.2, qq, f"{r:.1f}x", ha="center", va="bottom", fontsize=9)
    a_q.set_xticks(xs, [f"{T:g} °C" for T in temps])
    a_q.set_ylabel("charge (µC/cm²)")
    a_q.set_title("Na+ entry vs the charge\nthat just charges the membrane", fontsize=9)
    a_q.legend(fontsize=7, frameon=False, loc="center right")
    ov = s["overlap_ms_by_temperature"]
    a_t.text(0, 1, "\n".join([
        "Both gates open (green): Na+ flows in",
        "while K+ flows out, so much of the Na+",
        "charge is cancelled instead of charging",
        "the membrane.",
        "",
        *[f"{T:g} °C: overlap {o:.2f} ms, Na+ {qq:.2f} µC/cm²" for T, o, qq in zip(temps, ov, q)],
        f"(= {s['na_charge_pmol_cm2']:.1f} pmol/cm² at {temps[0]:g} °C)",
    ]), va="top", fontsize=9, transform=a_t.transAxes)
    return fig
