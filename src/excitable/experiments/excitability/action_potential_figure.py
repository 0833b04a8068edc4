"""The action-potential figure: V with its six phases named (rest, rising phase, peak, falling phase,
undershoot, recovery) beside rest, threshold, E_Na and E_K, then the gates, the conductances and the
currents (with Kirchhoff's i_cap = -i_ion), written for students.
"""

from __future__ import annotations

import textwrap

import numpy as np

from excitable.experiments.common.figures import (COLORS, OKABE_ITO, ion_color, legend_outside, model_reversals,
                                                  new_figure, reference_lines, stimulus_axis)
from excitable.experiments.common.models import gate_labels

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


#: The phases a textbook names (rest: the labelled rest line), what happens in each, and where its label goes (offset in points
#: from the point it names, horizontal alignment): around the trace, never on top of each other.
PHASE_WORDS = {
    "rising": ("rising phase:\nNa+ rushes in", (-14, 0), "right"),
    "peak": ("peak {peak:+.0f} mV:\nbelow E$_{{Na}}$", (10, -2), "left"),
    "falling": ("falling phase: Na+ channels\ninactivate, K+ flows out", (14, 6), "left"),
    "undershoot": ("undershoot {under:.0f} mV: K+ channels still open", (12, -12), "left"),
    "recovery": ("recovery: K+ channels close,\nNa+ channels ready again", (0, 45), "center"),
}


def phase_points(t, v, s) -> dict[str, tuple[float, float]]:
    """Where each of the six phases is labelled on the trace: (time ms, V mV)."""
    phases = {name: (a, b) for name, a, b in ap_phases(t, v, s)}
    if "rising" not in phases:
        return {}

    def at(time):
        k = min(int(np.searchsorted(t, time)), len(t) - 1)
        return float(t[k]), float(v[k])

    out = {"peak": (s["peak_time_ms"], s["peak_mV"])}  # rest: the labelled rest line
    for name in ("rising", "falling"):
        a, b = phases.get(name, (None, None))
        if a is not None:  # the label goes where V is half-way between rest and peak
            seg = (t >= a) & (t <= b)
            k = np.nonzero(seg)[0][np.argmin(np.abs(v[seg] - (s["rest_mV"] + s["peak_mV"]) / 2))]
            out[name] = (float(t[k]), float(v[k]))
    if "undershoot" in phases and s.get("undershoot_time_ms") is not None:
        a, b = phases["undershoot"]
        out["undershoot"] = (s["undershoot_time_ms"], s["undershoot_mV"])
        out["recovery"] = at((s["undershoot_time_ms"] + recovery_view_end(s, float(t[-1]))) / 2)
    return out


def _plot_voltage(ax_v, res):
    """V with the six phases labelled, rest, threshold, E_Na and E_K drawn, and the stimulus."""
    t, tr, s = res.t, res.traces, res.summary
    ax_v.plot(t, tr["v"], color=COLORS["v"], lw=2.0)
    for (name, a, b), col in zip(ap_phases(t, tr["v"], s), PHASE_COLORS):
        ax_v.axvspan(a, b, color=col, alpha=0.15, lw=0)
    for name, (x, y) in phase_points(t, tr["v"], s).items():
        words, offset, ha = PHASE_WORDS[name]
        words = words.format(peak=s["peak_mV"], under=s.get("undershoot_mV") or 0.0)
        ax_v.plot([x], [y], "o", ms=4, color="0.2")
        ax_v.annotate(words, (x, y), xytext=offset, textcoords="offset points", ha=ha, va="center",
                      fontsize=9, color="0.15", arrowprops=dict(arrowstyle="-", lw=0.6, color="0.4"))
    ev = model_reversals(res.meta.get("model", "hh"))
    reference_lines(ax_v, rest=s.get("rest_mV"), threshold=s.get("threshold_mV"), **ev)
    if s.get("threshold_criterion") == "-I_ion/C_m":  # the pulse alone drives dV/dt above 10 mV/ms
        ax_v.text(0.005, s["threshold_mV"] + 9.0, "(where -I_ion/C_m reaches 10 mV/ms:\nthe pulse alone "
                  "pushes V faster)", transform=ax_v.get_yaxis_transform(), ha="left", va="bottom", fontsize=7.5,
                  color="0.35")
    if s.get("no_resting_state"):
        note = textwrap.fill(s["no_resting_state"][0].upper() + s["no_resting_state"][1:], 58)
        ax_v.text(0.3, 0.3, note, transform=ax_v.transAxes, fontsize=9, color=OKABE_ITO["vermillion"],
                  va="center", bbox=dict(facecolor="white", alpha=0.85, lw=0))
    stimulus_axis(ax_v, t, tr["i_stim"])
    ax_v.set_ylabel("V (mV)")
    ax_v.set_ylim(min(ev.get("e_k", -90.0), float(np.min(tr["v"]))) - 12, max(ev.get("e_na", 50.0), float(np.max(tr["v"]))) + 12)


def _title(res) -> str:
    """The answer in the title (what the spike is made of), the model and temperature under it."""
    s, meta = res.summary, res.meta
    gk_scale = meta.get("gK_scale", 1.0)
    drug = "" if gk_scale == 1.0 else f", K+ conductance x{gk_scale:g} (TEA)"
    setting = f"{meta.get('model_description', '')}, {meta.get('temperature', 0.0):g} °C{drug}"
    setting = setting.replace(" um", " µm")
    if s.get("no_resting_state"):
        return f"No resting state: without enough K+ channels V never settles\n{setting}"
    if s.get("peak_mV") is None or s.get("rest_mV") is None or s.get("half_width_ms") is None:
        return f"Action potential\n{setting}"
    return (f"Na+ rushes in, then K+ flows out: a {s['peak_mV'] - s['rest_mV']:.0f}-mV spike, "
            f"{s['half_width_ms']:.1f} ms wide at half height\n{setting}")


def _view(res) -> tuple[float, float]:
    """The time window shown: from 3 ms before the stimulus to 10 ms after the undershoot."""
    t, s = res.t, res.summary
    phases = ap_phases(t, res.traces["v"], s)
    start = float(t[0]) if s.get("no_resting_state") else max(float(t[0]), res.meta.get("delay", 5.0) - 3.0)
    end = recovery_view_end(s, float(t[-1])) if phases and phases[-1][0] == "undershoot" else float(t[-1])
    return start, end


def recovery_view_end(s, t_end: float) -> float:
    """Where the view ends, ms: 10 ms after the undershoot's deepest point (V most of the way back)."""
    return min(t_end, s["undershoot_time_ms"] + 10.0)


def plot_action_potential(res):
    """V with its six phases, gates, conductances and currents (with Kirchhoff's i_cap = -i_ion)."""
    fig, ax = new_figure(4, 1, height=2.5, width=9.0, sharex=True, gridspec_kw={"height_ratios": [1.8, 1, 1, 1]})
    ax_v, ax_g, ax_c, ax_i = ax[:, 0]
    _plot_voltage(ax_v, res)
    ax_v.set_title(_title(res), loc="left")
    _plot_gates(ax_g, res)
    _plot_conductances(ax_c, res)
    _plot_currents(ax_i, res)
    ax_i.set_xlim(*_view(res))
    ax_i.set_xlabel("time (ms)")
    return fig


def _plot_gates(ax_g, res):
    """The gates, Na+ in the Na+ colour (h dashed), K+ in the K+ colour; what h and n do, in words."""
    t, tr = res.t, res.traces
    gate_styles = {"m": "-", "h": "--", "n": "-"}
    labels = {v: k for k, v in gate_labels(res.meta.get("model", "hh")).items()}
    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field and field in _states(res, mech):
            col = COLORS["k"] if field in ("n", "p") else COLORS["ca"] if field in ("q", "r", "s", "u") \
                else COLORS["na"]
            ax_g.plot(t, y, ls=gate_styles.get(field, "-."), color=col, lw=1.6,
                      label=f"{field} ({_gate_role(field)})")
    h, n = tr.get(_key(labels, "h")), tr.get(_key(labels, "n"))
    if h is not None and n is not None:
        k = int(np.argmin(h))
        ax_g.annotate("h falls: Na+ channels\ninactivate", (t[k], h[k]), xytext=(40, 4), va="bottom",
                      textcoords="offset points", fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.6))
        k = int(np.argmax(n))
        gk_scale = res.meta.get("gK_scale", 1.0)
        n_role = ("n rises: K+ channels\nopen (slowly)" if gk_scale == 1.0 else
                  f"n rises, but TEA left only\n{100 * gk_scale:g} % of K+ channels" if gk_scale > 0 else
                  "n moves, but TEA blocked\nevery K+ channel")
        ax_g.annotate(n_role, (t[k], n[k]), xytext=(30, -6), textcoords="offset points", fontsize=9,
                      va="top", arrowprops=dict(arrowstyle="->", lw=0.6))
    ax_g.set_ylabel("gate (0-1)")
    ax_g.set_ylim(-0.02, 1.02)
    legend_outside(ax_g)


def _key(labels: dict, gate: str):
    """The recording label of ``gate`` ("m", "h", "n") from {label: gate}."""
    return next((lab for lab, g in labels.items() if g == gate), None)


def _plot_conductances(ax_c, res):
    """Each channel's conductance in its ion's colour (the slow M-type K+ dashed)."""
    t, tr = res.t, res.traces
    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field.startswith("g") and field not in _states(res, mech) and mech != "Leak" and field != "gl":
            ax_c.plot(t, y, color=ion_color(field), lw=1.6, ls="--" if "M" in mech else "-",
                      label=f"{_ion_words(field)} ({mech})")
    ax_c.set_ylabel("conductance\n(mS/cm²)")
    legend_outside(ax_c)


def _plot_currents(ax_i, res):
    """Each ionic current, their sum and the capacitive current; the falling phase's net outward flow."""
    t, tr, s = res.t, res.traces, res.summary
    for label, y in tr.items():
        mech, _, field = label.partition(".")
        if field.startswith("i") and field not in _states(res, mech):
            ax_i.plot(t, y, color=ion_color(field), lw=1.3, ls="--" if "M" in mech else "-",
                      label=f"{_ion_words(field)} ({mech})")
    ax_i.plot(t, tr["i_ion"], color=COLORS["ion"], lw=2.2, label="total ionic")
    ax_i.plot(t, tr["i_cap"], color=COLORS["cap"], lw=1.2, ls=":", label="capacitive\n= -ionic + stimulus")
    ax_i.axhline(0, color="0.5", lw=0.6)
    fall = [(a, b) for name, a, b in ap_phases(t, tr["v"], s) if name == "falling"]
    if fall:
        ax_i.axvspan(*fall[0], color=PHASE_COLORS[1], alpha=0.2, lw=0)
        ax_i.text(fall[0][1], 0.95, " falling phase: K+ out > Na+ in,\n so the net ionic current is outward",
                  transform=ax_i.get_xaxis_transform(), fontsize=9, va="top")
    ax_i.set_ylabel("current (µA/cm²)\noutward > 0")
    legend_outside(ax_i)


def _ion_words(field: str) -> str:
    """"ina" -> "Na+ current", "gk" -> "K+ conductance", "il"/"i" -> "leak current"."""
    kind = "current" if field.startswith("i") else "conductance"
    ion = "Na+" if "na" in field else "K+" if "k" in field else "Ca2+" if "ca" in field else "leak"
    return f"{ion} {kind}"


def _states(res, mech) -> set:
    return set(res.meta.get("states", {}).get(mech, ()))


def _gate_role(field: str) -> str:
    return {"m": "Na+ activation", "h": "Na+ inactivation", "n": "K+ activation",
            "p": "slow K+ (M)", "q": "Ca2+ activation", "r": "Ca2+ inactivation",
            "s": "Ca2+ activation", "u": "Ca2+ inactivation"}.get(field, "gate")
