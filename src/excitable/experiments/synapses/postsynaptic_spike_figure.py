"""The postsynaptic-spike figure: summed EPSPs just below and at threshold, and the peak V against the
number of inputs for inputs together, spread out, and with inhibition."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, EXCITATORY, GREY, INHIBITORY, OKABE_ITO, new_figure

STYLE = {"together": (EXCITATORY, "-", "all at once"),
         "spread": (OKABE_ITO["orange"], "--", "spread in time"),
         "inhibited": (INHIBITORY, ":", "at once + inhibition")}


def _traces(ax, t, tr, s, condition, n_max):
    """V of the cells with k = needed - 2, needed - 1 and needed inputs (or the last three)."""
    need = s[f"needed_{condition}"]
    ks = [k for k in ((need - 2, need - 1, need) if need else (n_max - 2, n_max - 1, n_max)) if 1 <= k <= n_max]
    sel = t >= 0
    for j, k in enumerate(ks):
        fires = need is not None and k >= need
        ax.plot(t[sel], tr[f"v {condition} {k}"][sel], color=COLORS["v"] if fires else STYLE[condition][0],
                lw=1.6 if fires else 1.1, alpha=1.0 if fires else 0.5 + 0.25 * j,
                label=f"{k} inputs" + (": fires" if fires else ""))
    ax.plot(t[sel], tr[f"v {condition} 1"][sel], color=GREY, lw=1.0, label="1 input")


def plot_postsynaptic_spike(res):
    """(a) inputs together, (b) spread out: V near threshold; (c) peak V vs number of inputs."""
    t, tr, s, m = res.t, res.traces, res.summary, res.meta
    fig, ax = new_figure(1, 3, height=3.6, width=12.0)
    a_t, a_s, a_k = ax[0]
    for a, condition, title in ((a_t, "together", "(a) Inputs all at once"),
                                (a_s, "spread", f"(b) The same inputs spread over {m['spread']:g} ms")):
        _traces(a, t, tr, s, condition, m["n_max"])
        _thresholds(a, s, t[0])
        a.set_ylim(s["rest_mV"] - 3, s["threshold_mV"] + 12)
        a.set_xlabel("time (ms)")
        a.set_title(title, fontsize=9)
        a.legend(fontsize=7, loc="upper right", frameon=False)
    a_t.set_ylabel("V (mV)")
    k = np.arange(1, m["n_max"] + 1)
    for condition, (color, ls, label) in STYLE.items():
        need = s[f"needed_{condition}"]
        a_k.plot(k, np.minimum(s[f"peak_mV_{condition}"], s["threshold_mV"] + 10), ls, color=color, lw=1.5,
                 marker="o", ms=3, label=f"{label}: {need or 'none fire up to'} {'' if need else m['n_max']}")
    a_k.plot(k, s["rest_mV"] + k * s["unitary_epsp_mV"], color=GREY, lw=0.8,
             label="k × one EPSP (linear)")
    _thresholds(a_k, s, 1)
    a_k.set_ylim(s["rest_mV"] - 1, s["threshold_mV"] + 12)
    a_k.set_xlabel("number of excitatory inputs")
    a_k.set_ylabel("peak V (mV; a spike is drawn at the top)")
    a_k.set_title("(c) Peak V against the number of inputs", fontsize=9)
    a_k.legend(fontsize=7, loc="upper left", frameon=False, title="inputs needed", title_fontsize=7)
    fig.suptitle(f"One EPSP ({s['unitary_epsp_mV']:.2f} mV) cannot fire the cell: {s['needed_together']} "
                 f"together pass the point of no return ({s['instant_threshold_mV']:.1f} mV), more when spread "
                 "out or inhibited", fontsize=10)
    return fig


def _thresholds(ax, s, x0):
    """The point of no return for a brief input, and where the spike takes off (dV/dt 10 mV/ms)."""
    for key, text, ls in (("instant_threshold_mV", "point of no return", "--"),
                          ("threshold_mV", "spike takes off (dV/dt 10 mV/ms)", ":")):
        if s[key] is not None:
            ax.axhline(s[key], color=GREY, lw=0.8, ls=ls)
            ax.text(x0, s[key], f" {text} ({s[key]:.1f} mV)", va="bottom", fontsize=7, color=GREY)
