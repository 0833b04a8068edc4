"""The phases of an action potential, labelled on a V trace: rest, threshold, rising phase (Na+ in),
peak, falling phase (K+ out), undershoot. Shared by the figures of the excitability experiments."""

from __future__ import annotations

import numpy as np


def label_phases(ax, t, v, ap: dict) -> None:
    """Label each phase of the first spike of ``v`` (mV) against ``t`` (ms, the axis' own time), from
    ``ap`` (``excitable.analysis.action_potential_summary`` of the same trace, its times shifted as
    ``t``: rest_mV, threshold_mV, peak_mV, peak_time_ms, undershoot_mV, undershoot_time_ms)."""
    if not ap.get("peak_time_ms") or ap.get("rest_mV") is None:
        return
    style = dict(fontsize=9, color="0.2", arrowprops=dict(arrowstyle="-", lw=0.6, color="0.5"))
    tp, vp = ap["peak_time_ms"], ap["peak_mV"]
    k = int(np.searchsorted(t, tp))
    rise = k - int(np.argmax(v[:k + 1][::-1] < (ap["rest_mV"] + vp) / 2))  # half-way up, before the peak
    fall = k + int(np.argmax(v[k:] < (ap["rest_mV"] + vp) / 2))  # half-way down, after it
    lo, hi = ax.get_xlim() if ax.get_autoscalex_on() is False else (t[0], t[-1])
    width = float(hi - lo)
    # Left of the spike V is still at rest: room for the labels of its first half.
    ax.annotate("peak", (tp, vp), xytext=(tp - 0.03 * width, vp - 2), ha="right", va="center", **style)
    if t[rise] - lo >= 0.18 * width:  # room for the two lines left of the rise, beside it
        ax.annotate("rising phase:\nNa+ rushes in", (t[rise], v[rise]), xytext=(t[rise] - 0.03 * width, v[rise]),
                    ha="right", va="center", **style)
    else:  # a spike near the axis' left edge: from that edge, higher, clear of the rest and the peak
        ax.annotate("rising phase:\nNa+ rushes in", (t[rise], v[rise]), xytext=(lo + 0.01 * width, v[rise] + 20),
                    ha="left", va="center", **style)
    ax.annotate("falling phase:\nK+ flows out", (t[fall], v[fall]), xytext=(t[fall] + 0.07 * width, v[fall] + 10),
                **style)
    if ap.get("undershoot_time_ms") is not None and ap["undershoot_mV"] < ap["rest_mV"]:
        tu, vu = ap["undershoot_time_ms"], ap["undershoot_mV"]
        ax.annotate("undershoot", (tu, vu), xytext=(tu + 0.05 * width, vu - 8), va="top", **style)
    ax.annotate("rest", (t[0], ap["rest_mV"]), xytext=(t[0] + 0.01 * width, ap["rest_mV"] + 8), **style)
