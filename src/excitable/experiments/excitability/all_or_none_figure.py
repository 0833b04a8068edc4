"""The all-or-none figure: peak V against the stimulus, and the responses around threshold."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import OKABE_ITO, new_figure


def plot_all_or_none(res):
    """Peak V vs stimulus amplitude (the all-or-none curve) and the traces around threshold."""
    s = res.summary
    fig, ax = new_figure(1, 2, height=3.4, width=10.0)
    a0, a1 = ax[0]
    amps = np.asarray(s["amplitudes_uA_cm2"])
    peaks = np.asarray(s["peaks_mV"])
    thr = s["threshold_amplitude_uA_cm2"]
    fired = amps >= thr
    a0.plot(amps[~fired], peaks[~fired], "o", color=OKABE_ITO["sky"], label="graded (no AP)")
    a0.plot(amps[fired], peaks[fired], "o", color=OKABE_ITO["vermillion"], label="action potential")
    a0.axvline(thr, color="0.4", ls="--", lw=1)
    a0.text(thr, 0.02, f" threshold {thr:.3f} uA/cm2", transform=a0.get_xaxis_transform(), fontsize=8)
    a0.set_xlabel(f"stimulus ({s['pulse_ms']:g}-ms pulse, uA/cm2)")
    a0.set_ylabel("peak V (mV)")
    a0.set_title("All or none: the peak jumps at threshold, then stays", fontsize=10)
    a0.legend(frameon=False, fontsize=8)
    for label, y in res.traces.items():
        a1.plot(res.t, y, lw=1.0, label=label)
    a1.set_xlabel("time (ms)")
    a1.set_ylabel("V (mV)")
    a1.set_title("Responses just below and above threshold", fontsize=10)
    a1.legend(frameon=False, fontsize=7)
    return fig
