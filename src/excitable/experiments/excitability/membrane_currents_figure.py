"""The membrane-currents figure: every current of one action potential on one axis, and the balance
at the steepest fall.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, OKABE_ITO, grid_figure, reference_lines,
                                                  stimulus_axis, style_axes)
from excitable.experiments.common.phases import label_phases

#: Symbol of each current family in the summary and figure.
NAMES = {"na": "INa", "k": "IK", "leak": "IL", "other": "I_other"}


def plot_membrane_currents(res):
    """V with the falling phase shaded; every current on one axis; the balance at the steepest fall."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t
    fig, gs = grid_figure(11.0, 6.6, 2, 2, width_ratios=[3.0, 1.2], height_ratios=[1.0, 1.6])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_i = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_b = style_axes(fig.add_subplot(gs[:, 1]))
    f0, f1 = s["falling_phase_ms"]
    ts = s["steepest_fall_time_ms"]
    for a in (a_v, a_i):
        a.axvspan(f0, f1, color=OKABE_ITO["orange"], alpha=0.15, lw=0)
        a.axvline(ts, color=GREY, lw=0.8, ls="--")
    a_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label="V")
    from excitable.analysis import action_potential_summary

    ap = action_potential_summary(t, tr["v"], stimulus_onset_ms=m["delay"])
    a_v.set_xlim(max(0.0, m["delay"] - 1.0), min(t[-1], f1 + 8.0))  # before the labels, which follow it
    reference_lines(a_v, rest=s["rest_mV"], threshold=ap.get("threshold_mV"), e_na=m.get("e_na"),
                    e_k=m.get("e_k"))
    label_phases(a_v, t, tr["v"], ap)
    a_v.text(0.5 * (f0 + f1), 1.0, "falling phase", transform=a_v.get_xaxis_transform(), ha="center",
             va="bottom", fontsize=9)
    a_v.annotate(f"steepest fall: {s['steepest_fall_dvdt_mV_ms']:.1f} mV/ms\nat V = "
                 f"{s['steepest_fall_v_mV']:.1f} mV", (ts, s["steepest_fall_v_mV"]), xytext=(25, 25),
                 textcoords="offset points", fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.6))
    stimulus_axis(a_v, t, tr["i_stim"])
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=9, frameon=False, loc="upper right")
    a_v.set_title(f"Falling phase: INa still inward, but IK larger: net current outward ({m['model']} model, "
                  f"{s['temperature_degC']:g} °C)", fontsize=10, pad=14)

    styles = {"na": (COLORS["na"], "INa (Na+, inward)"), "k": (COLORS["k"], "IK (K+, outward)"),
              "leak": (COLORS["leak"], "IL (leak)"), "other": (OKABE_ITO["yellow"], "other (Ca2+ ...)")}
    for fam, (col, lab) in styles.items():
        if f"I_{fam}" in tr:
            a_i.plot(t, tr[f"I_{fam}"], color=col, lw=1.3, label=lab)
    a_i.plot(t, tr["i_ion"], color=COLORS["ion"], lw=2.4, label="I_ion = sum (net ionic)")
    a_i.plot(t, tr["i_cap"], color=COLORS["cap"], lw=1.4, ls="--", label="I_cap = C dV/dt")
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("current (µA/cm²)\noutward > 0, inward < 0")
    a_i.set_xlabel("time (ms)")
    a_i.legend(fontsize=9, frameon=False, loc="lower right", ncol=2)
    a_i.text(f1, 0.97, "  falling phase: INa < 0 but IK > |INa|,\n  so I_ion > 0 and C dV/dt = -I_ion < 0",
             transform=a_i.get_xaxis_transform(), fontsize=9, va="top")
    a_i.set_xlim(max(0.0, m["delay"] - 1.0), min(t[-1], f1 + 8.0))

    names = [NAMES[f] for f in ("na", "k", "leak", "other") if f"{NAMES[f]}_at_steepest_fall_uA_cm2" in s]
    vals = [s[f"{n}_at_steepest_fall_uA_cm2"] for n in names] + [s["I_ion_at_steepest_fall_uA_cm2"],
                                                                  s["I_cap_at_steepest_fall_uA_cm2"]]
    cols = [styles[f][0] for f in ("na", "k", "leak", "other") if f"I_{f}" in tr] + [COLORS["ion"], COLORS["cap"]]
    labels = names + ["I_ion", "I_cap"]
    xs = np.arange(len(vals))
    a_b.bar(xs, vals, color=cols)
    for x, val in zip(xs, vals):
        a_b.text(x, val, f"{val:+.1f}", ha="center", va="bottom" if val >= 0 else "top", fontsize=9)
    a_b.axhline(0, color=GREY, lw=0.6)
    a_b.set_xticks(xs, labels, fontsize=9)
    a_b.set_ylabel("current (µA/cm²)")
    a_b.set_title(f"At the steepest fall (V = {s['steepest_fall_v_mV']:.1f} mV):\n"
                  "I_ion = INa + IK + IL > 0, I_cap = -I_ion", fontsize=9)
    return fig
