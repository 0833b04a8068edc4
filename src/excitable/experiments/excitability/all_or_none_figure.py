"""The all-or-none figure: peak V against the stimulus (a jump at threshold, then a plateau), and the
responses just below and above threshold, with rest, E_Na and E_K drawn."""

from __future__ import annotations

import re

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, legend_outside, model_reversals, new_figure,
                                                  reference_lines)


def plot_all_or_none(res):
    """Peak V vs stimulus amplitude (the all-or-none curve) and the traces around threshold."""
    s = res.summary
    fig, ax = new_figure(2, 1, height=3.2, width=8.0)
    a0, a1 = ax[:, 0]
    amps = np.asarray(s["amplitudes_uA_cm2"])
    peaks = np.asarray(s["peaks_mV"])
    thr = s["threshold_amplitude_uA_cm2"]
    fired = amps >= thr
    a0.plot(amps[~fired], peaks[~fired], "o", color=GREY, label="graded response\n(no spike)")
    a0.plot(amps[fired], peaks[fired], "o", color=COLORS["v"], label="action potential")
    a0.axvline(thr, color="0.35", ls="--", lw=1)
    a0.text(thr, 0.5, f" threshold\n {thr:.2f} µA/cm²", transform=a0.get_xaxis_transform(), fontsize=9,
            va="center")
    a0.set_xlabel(f"stimulus ({s['pulse_ms']:g}-ms pulse, µA/cm²)")
    a0.set_ylabel("peak V (mV)")
    top = peaks[fired]
    answer = (f"All or none: below {thr:.1f} µA/cm² no spike; above it the peak stays near "
              f"{np.median(top):+.0f} mV" if top.size else "All or none: the peak against the stimulus")
    a0.set_title(answer, loc="left")
    legend_outside(a0)
    _responses(a1, res)
    return fig


def _responses(ax, res):
    """The traces around threshold: below in greys, above in black (the later, the closer to threshold)."""
    for label, y in res.traces.items():
        m = re.search(r"([\d.]+) x threshold", label)
        factor = float(m.group(1)) if m else 1.0
        above = factor >= 1.0
        shade = COLORS["v"] if above else (GREY if factor < 0.9 else "0.35")
        words = "spike" if above else "no spike"
        ax.plot(res.t, y, lw=1.6 if above else 1.3, ls="-" if factor < 1.5 or not above else "--",
                color=shade, label=f"{factor:g} × threshold: {words}")
    v0 = next(iter(res.traces.values()))[0] if res.traces else None
    reference_lines(ax, rest=v0, **model_reversals(res.summary.get("model", "hh")))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("V (mV)")
    ax.set_title("Just below threshold: a bump that dies; just above: a full spike (later)", loc="left")
    legend_outside(ax)
