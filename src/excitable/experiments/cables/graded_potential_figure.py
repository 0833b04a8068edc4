"""The graded-potential figure: the steady decay against exp(-x/lambda), pulse responses along the
cable, and the peak against the stimulus.
"""

from __future__ import annotations

import math

import numpy as np

from excitable.experiments.common.figures import CAPTION, COLORS, GREY, legend_outside, new_figure

#: Distance from the stimulus, near to far: black to light grey (colours are kept for ions and roles).
DISTANCE_SHADES = ["0.0", "0.3", "0.5", "0.68", "0.8"]


# long because it draws four panels one after the other, each a few labelled lines:
# splitting it would only pass the same axes around.
def plot_graded_potential(res):
    """Steady decay vs exp(-x/lambda), pulse V(t) at several distances, both profiles, peak vs stimulus."""
    s, m = res.summary, res.meta
    lam, lam_th, x0 = s["lambda_um"], s["lambda_theory_um"], m["source_um"]
    x = np.asarray(m["positions_um"]) - x0  # distance from the stimulus
    v_ss = np.asarray(m["steady_mV"])
    fig, ax = new_figure(4, 1, height=3.0, width=8.0)  # stacked: readable at phone width
    a0, a1, a2, a3 = ax[:, 0]
    xmax = min(x[-1], 5 * lam_th)
    near = x <= xmax

    every = max(1, int(near.sum()) // 50)  # about 50 dots, so the theory curves stay visible
    a0.plot(x[near][::every] / 1000, v_ss[near][::every], "o", ms=3.5, color=COLORS["v"],
            label=f"simulated, steady {m['step_nA']:g} nA")
    xx = np.linspace(0, xmax, 300)
    a0.plot(xx / 1000, v_ss[0] * np.exp(-xx / lam_th), color=GREY, lw=1.6,
            label=r"$V_0\,e^{-x/\lambda}$," + "\n" + r"$\lambda=\sqrt{R_m d/(4R_i)}$" + f" = {lam_th:.0f} µm")
    if s.get("fit_note"):  # a short cable: the sealed far end matters
        L = m["length_um"]
        a0.plot(xx / 1000, v_ss[0] * np.cosh((L - x0 - xx) / lam_th) / np.cosh((L - x0) / lam_th),
                color="0.3", lw=1.4, ls="--", zorder=3,
                label=r"sealed cable: $V_0\cosh((L-x)/\lambda)/\cosh(L/\lambda)$")
    a0.axvline(lam_th / 1000, color="0.5", ls=":", lw=1)
    a0.axhline(v_ss[0] / math.e, color="0.5", ls=":", lw=1)
    a0.annotate(f"one length constant:\nV is down to 1/e = 37 %\n(fit: λ = {lam:.0f} µm)",
                (lam_th / 1000, v_ss[0] / math.e), xytext=(25, 25), textcoords="offset points",
                fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.6))
    a0.set_xlabel("distance from the stimulus (mm)")
    a0.set_ylabel("steady change from rest (mV)")
    a0.set_title("(a) Steady current: the voltage falls off exponentially")
    legend_outside(a0)

    names = list(res.traces)
    t = res.t - m.get("delay_ms", 1.0)
    # Absolute change from rest (the amplitude is the point: it fades with distance); the inset
    # magnifies the distant, small responses on their own mV scale.
    inset = a1.inset_axes([0.45, 0.1, 0.52, 0.36])
    for i, (label, dist, tp, pk) in enumerate(zip(names, s["peak_distances_um"], s["peak_times_ms"],
                                                   s["peaks_mV"])):
        dv = res.traces[label] + 65.0
        where = "at the stimulus" if dist - x0 < 1 else \
            f"{(dist - x0) / 1000:.1f} mm ({(dist - x0) / lam_th:.1f} \u03bb)"
        shade = DISTANCE_SHADES[min(i, len(DISTANCE_SHADES) - 1)]
        a1.plot(t, dv, color=shade, lw=1.8, label=f"{where}:\npeak {pk:.2f} mV at {tp:.1f} ms")
        a1.plot(tp, pk, "o", color=shade, ms=4)
        if i:
            inset.plot(t, dv, color=shade, lw=1.4)
            inset.plot(tp, pk, "o", color=shade, ms=3)
    a1.axvspan(0, m["pulse"], color=COLORS["stim"], alpha=0.35, lw=0, label=f"{m['pulse']:g}-ms pulse")
    t_end = min(t[-1], 4 * max(s["peak_times_ms"]) + 5)
    a1.set_xlim(-1, t_end)
    inset.set_xlim(-1, t_end)
    inset.set_ylim(bottom=0)
    inset.set_title("farther sites, magnified (mV)", fontsize=9)
    inset.tick_params(labelsize=8)
    a1.set_xlabel("time after pulse onset (ms)")
    a1.set_ylabel("change from rest (mV)")
    a1.set_title(f"(b) A brief {m['reference_amplitude_nA']:g}-nA pulse: farther = smaller, later, broader")
    legend_outside(a1)

    prof = np.asarray(m["pulse_peak_profile_mV"])
    a2.plot(x[near] / 1000, v_ss[near] / v_ss[0], color=COLORS["v"], lw=1.8, label="steady current")
    a2.plot(x[near] / 1000, prof[near] / prof[0], color=GREY, lw=1.8, ls="--",
            label=f"peak of the {m['pulse']:g}-ms pulse")
    a2.axhline(1 / math.e, color="0.5", ls=":", lw=1)
    a2.text(xmax / 1000, 1 / math.e, "1/e ", ha="right", va="bottom", fontsize=9, color="0.4")
    if s.get("pulse_decay_length_um"):
        a2.annotate(f"pulse falls to 1/e\nwithin {s['pulse_decay_length_um']:.0f} µm",
                    (s["pulse_decay_length_um"] / 1000, 1 / math.e), xytext=(20, 40),
                    textcoords="offset points", fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.6))
    a2.set_xlabel("distance from the stimulus (mm)")
    a2.set_ylabel("relative size (1 at the stimulus)")
    a2.set_title("(c) Brief inputs fade faster than steady ones (each relative to its size at the stimulus)",
                 fontsize=10)
    legend_outside(a2)

    amps = np.asarray(s["amplitudes_nA"])
    peaks = np.asarray(s["peaks_at_source_mV"])
    a3.axhline(0, color="0.7", lw=0.6)
    a3.axvline(0, color="0.7", lw=0.6)
    aa = np.linspace(min(amps.min(), 0), max(amps.max(), 0), 50)
    a3.plot(aa, s["pulse_gain_mV_per_nA"] * aa + (peaks.mean() - s["pulse_gain_mV_per_nA"] * amps.mean()),
            color=GREY, lw=1.4, label=f"straight line,\n{s['pulse_gain_mV_per_nA']:.1f} mV/nA")
    a3.plot(amps, peaks, "o", color=COLORS["v"], label=f"simulated peaks\n(R$^2$ = {s['linearity_r2']:.6f})")
    a3.set_xlabel(f"stimulus ({m['pulse']:g}-ms pulse, nA; < 0 hyperpolarizing)")
    a3.set_ylabel("peak change at the stimulus (mV)")
    a3.set_title("(d) Graded: the response is proportional to the stimulus")
    legend_outside(a3)

    fig.suptitle(f"Graded: proportional to the stimulus, and fading with distance (λ = {lam:.0f} µm)\n"
                 f"a passive cable, d = {m['diameter_um']:g} µm, Rm = {m['rm']:g} Ω cm², Ri = {m['ra']:g} Ω cm, "
                 f"τ = {s['tau_ms']:g} ms", fontsize=11)
    fig.text(0.01, -0.01,
             "Why: current injected into the cable flows along the core but leaks out through the membrane on "
             "the way, so less and less is left to depolarize the membrane farther on. A well-insulated membrane "
             "(large Rm) and a wide core (large d, small Ri) give a long length constant. A brief pulse must also "
             "charge the membrane capacitance as it spreads, so it is smeared in time and fades faster. "
             "No channel here depends on voltage, so everything scales with the stimulus.", **CAPTION)
    return fig
