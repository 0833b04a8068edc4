"""The action-potential figure: V with its phases named, the gates, the conductances and the
currents (with Kirchhoff's i_cap = -i_ion), written for students.
"""

from __future__ import annotations

import textwrap

import numpy as np

from excitable.experiments.common.figures import COLORS, OKABE_ITO, ion_color, new_figure, stimulus_axis

PHASE_COLORS = [OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["green"]]


def ap_phases(t, v, summary) -> list[tuple[str, float, float]]:
    """(name, start, end) of the rising phase, falling phase and undershoot, in ms.

    rising: the last uninterrupted run of dV/dt > 10 mV/ms before the peak (the regenerative upstroke);
    falling: peak until V crosses rest on the way down; undershoot: below rest until V has come back
    within 10 % of the undershoot depth.
    """
    if not summary.get("n_spikes") or summary.get("rest_mV") is None:
        return []
    rest = summary["rest_mV"]
    # The first spike after the stimulus (a cell with K+ channels blocked may fire again later).
    k_peak = int(np.searchsorted(t, summary["peak_time_ms"]))
    slow = np.nonzero(np.gradient(v, t)[:k_peak] <= 10.0)[0]
    t_start = t[slow[-1] + 1] if len(slow) else t[0]
    below = np.nonzero(v[k_peak:] < rest)[0]
    if not len(below):
        return [("rising", t_start, t[k_peak]), ("falling", t[k_peak], t[-1])]
    k_cross = k_peak + below[0]
    k_min = (int(np.searchsorted(t, summary["undershoot_time_ms"])) if summary.get("undershoot_time_ms")
             else k_cross + int(np.argmin(v[k_cross:])))
    depth = rest - v[k_min]
    back = np.nonzero(v[k_min:] > rest - 0.1 * depth)[0]
    t_end = t[k_min + back[0]] if len(back) else t[-1]
    return [("rising", t_start, t[k_peak]), ("falling", t[k_peak], t[k_cross]),
            ("undershoot", t[k_cross], t_end)]


def plot_action_potential(res):
    """V with phases, gates, conductances and currents (with Kirchhoff's i_cap = -i_ion)."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(4, 1, height=2.3, sharex=True)
    ax_v, ax_g, ax_c, ax_i = ax[:, 0]
    ax_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label="V")
    for i, ((name, a, b), col) in enumerate(zip(ap_phases(t, tr["v"], s), PHASE_COLORS)):
        ax_v.axvspan(a, b, color=col, alpha=0.2, lw=0)
        ax_v.text((a + b) / 2, 1.0 + 0.09 * (i % 2), name, transform=ax_v.get_xaxis_transform(),
                  ha="center", va="bottom", fontsize=8, color="0.2")
    if s.get("peak_mV") is not None:
        ax_v.annotate(f"peak {s['peak_mV']:.1f} mV", (s["peak_time_ms"], s["peak_mV"]),
                      xytext=(8, -4), textcoords="offset points", fontsize=8)
    if s.get("undershoot_mV") is not None:
        ax_v.annotate(f"undershoot {s['undershoot_mV']:.1f} mV", (s["undershoot_time_ms"], s["undershoot_mV"]),
                      xytext=(30, 12), textcoords="offset points", fontsize=8)
    if s.get("rest_mV") is not None:
        ax_v.axhline(s["rest_mV"], color="0.6", lw=0.8, ls=":", label=f"rest {s['rest_mV']:.2f} mV")
    if s.get("no_resting_state"):
        note = textwrap.fill(s["no_resting_state"][0].upper() + s["no_resting_state"][1:], 58)
        ax_v.text(0.3, 0.3, note, transform=ax_v.transAxes, fontsize=7, color=OKABE_ITO["vermillion"],
                  va="center", bbox=dict(facecolor="white", alpha=0.85, lw=0))
    stimulus_axis(ax_v, t, tr["i_stim"])
    ax_v.set_ylabel("V (mV)")
    ax_v.legend(loc="upper right", fontsize=8, frameon=False)
    gk_scale = res.meta.get("gK_scale", 1.0)
    drug = "" if gk_scale == 1.0 else f", K+ conductance x{gk_scale:g} (TEA)"
    ax_v.set_title(f"Action potential: {res.meta.get('model_description', '')}, "
                   f"{res.meta.get('temperature', '')} °C{drug}", fontsize=10, pad=26)

    gate_styles = {"m": "-", "h": "--", "n": "-"}
    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field and field in _states(res, mech):
            col = COLORS["k"] if field in ("n", "p", "q") else COLORS["na"]
            ax_g.plot(t, y, ls=gate_styles.get(field, "-."), color=col if field != "h" else OKABE_ITO["orange"],
                      label=f"{field} ({_gate_role(field)})")
    if "HH.h" in tr:
        k = int(np.argmin(tr["HH.h"]))
        ax_g.annotate("h falls: Na+ channels inactivate", (t[k], tr["HH.h"][k]), xytext=(20, 10),
                      textcoords="offset points", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.6))
        k = int(np.argmax(tr["HH.n"]))
        gk_scale = res.meta.get("gK_scale", 1.0)
        n_role = ("n rises: K+ channels open (slowly)" if gk_scale == 1.0 else
                  f"n rises, but TEA left only {100 * gk_scale:g} % of K+ channels" if gk_scale > 0 else
                  "n moves, but TEA blocked every K+ channel: no K+ current")
        ax_g.annotate(n_role, (t[k], tr["HH.n"][k]), xytext=(25, 5),
                      textcoords="offset points", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.6))
    ax_g.set_ylabel("gate (0-1)")
    ax_g.set_ylim(-0.02, 1.02)
    ax_g.legend(loc="center right", fontsize=8, frameon=False)

    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field.startswith("g") and field not in _states(res, mech):
            ax_c.plot(t, y, color=ion_color(field), label=f"{field} ({mech})")
    ax_c.set_ylabel("conductance\n(mS/cm²)")
    ax_c.legend(loc="upper right", fontsize=8, frameon=False)

    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field.startswith("i") and field not in _states(res, mech):
            ax_i.plot(t, y, color=ion_color(field), lw=1.2, label=f"{field} ({'inward' if 'na' in field else 'mostly outward' if 'k' in field else 'leak'})")
    ax_i.plot(t, tr["i_ion"], color=COLORS["ion"], lw=2.0, label="total ionic")
    ax_i.plot(t, tr["i_cap"], color=COLORS["cap"], lw=1.2, ls="--", label="capacitive = -ionic + stim")
    ax_i.axhline(0, color="0.5", lw=0.6)
    fall = [(a, b) for name, a, b in ap_phases(t, tr["v"], s) if name == "falling"]
    if fall:
        ax_i.axvspan(*fall[0], color=PHASE_COLORS[1], alpha=0.2, lw=0)
        ax_i.text(fall[0][1], 0.95, " falling phase: IK outward > INa inward,\n so net ionic current is outward",
                  transform=ax_i.get_xaxis_transform(), fontsize=8, va="top")
    ax_i.set_ylabel("current (µA/cm²)\noutward > 0")
    ax_i.set_xlabel("time (ms)")
    ax_i.legend(loc="lower right", fontsize=7, frameon=False, ncol=2)
    return fig


def _states(res, mech) -> set:
    return set(res.meta.get("states", {}).get(mech, ()))


def _gate_role(field: str) -> str:
    return {"m": "Na+ activation", "h": "Na+ inactivation", "n": "K+ activation",
            "p": "slow K+ (M)", "q": "Ca2+ activation", "r": "Ca2+ inactivation",
            "s": "Ca2+ activation", "u": "Ca2+ inactivation"}.get(field, "gate")
