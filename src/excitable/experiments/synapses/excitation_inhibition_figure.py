"""The excitation-inhibition figure: summation in time and space, excitation and inhibition at several
timings, the veto by somatic inhibition and the shunt.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, EXCITATORY, INHIBITORY, legend_outside, new_figure,
                                                  reference_lines)

#: The textbook neuron's voltage threshold, mV (action-potential's default run measures -54.7).
TEXTBOOK_THRESHOLD_MV = -55.0

#: Several traces of one role: the same colour, told apart by the line.
BOTH = COLORS["v"]  # excitation and inhibition together: the membrane potential itself


def response_panel(ax, t, y, *, color, label, rest=None, ls="-"):
    """One trace with an optional dotted rest line."""
    ax.plot(t, y, color=color, lw=1.7, ls=ls, label=label)
    if rest is not None:
        ax.axhline(rest, color="0.6", lw=0.7, ls=":")


def plot_excitation_inhibition(res):
    """(a) summation in time and space; (b) E + I at several timings; (c) the veto by somatic inhibition
    and the shunt with E_Cl at rest."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(4, 1, height=3.0, width=8.0)  # stacked: readable at phone width
    a, b, c, d = ax[:, 0]
    rest = s["rest_mV"]
    for key, col, lab, ls in (("E1", EXCITATORY, "one EPSP", "-"),
                              ("E1E1", EXCITATORY, "two EPSPs, 5 ms apart\n(in time)", "--"),
                              ("E1E2", EXCITATORY, "two synapses at once\n(in space)", ":"),
                              ("I_soma", INHIBITORY, "IPSP (GABA_A at soma,\nE_Cl -80 mV)", "-"),
                              ("E1I_soma", BOTH, "EPSP + IPSP together", "-")):
        response_panel(a, t, tr[key], color=col, label=lab, rest=rest, ls=ls)
    a.set_title("Yes: EPSPs add in time and space; an IPSP subtracts", loc="left")
    a.text(0.98, 0.05, f"two EPSPs in time: {s['temporal_summation_ratio']:.2f} x one\n"
           f"two sites at once: {100 * s['spatial_linearity']:.0f} % of the linear sum\n"
           f"EPSP + IPSP: {s['ei_at_epsp_peak_mV']:+.1f} mV (sum of the two alone "
           f"{s['ei_linear_prediction_mV']:+.1f} mV)",
           transform=a.transAxes, ha="right", va="bottom", fontsize=9)
    a.set_xlim(0, 60)
    dts, peaks = np.asarray(s["timing_dt_ms"]), np.asarray(s["timing_peak_mV"])
    b.plot(dts, peaks, "o-", color=INHIBITORY, label="EPSP peak with\nan IPSP at dt")
    b.axhline(s["epsp_alone_peak_mV"], color=EXCITATORY, ls="--", lw=1, label="EPSP peak alone")
    b.set_xlabel("IPSP time - EPSP time, dt (ms)  (negative: IPSP first)")
    b.set_ylabel("peak depolarization\nat soma (mV above rest)")
    b.set_title(f"Timing: inhibition works best with or just before the EPSP "
                f"(strongest at dt = {s['strongest_inhibition_dt_ms']:g} ms)", loc="left", fontsize=10)
    legend_outside(b)
    for key, col, lab, n in (
            ("strong_E", EXCITATORY, "strong excitation alone", s["n_spikes_excitation_alone"]),
            ("strong_E_I_soma", INHIBITORY, "+ inhibition at the soma", s["n_spikes_with_soma_inhibition"]),
            ("strong_E_I_distal", INHIBITORY, "+ the same inhibition at\nanother dendrite's tip",
             s["n_spikes_with_distal_inhibition"])):
        response_panel(c, t, tr[key], color=col, label=f"{lab}:\n{n} spike{'s' if n != 1 else ''}", rest=rest,
                       ls=":" if "distal" in key else "-")
    c.set_title("Veto: inhibition near the soma stops the spike, far away it hardly matters", loc="left",
                fontsize=10)
    c.set_xlim(0, 60)
    c.set_ylim(top=75)
    reference_lines(c, threshold=TEXTBOOK_THRESHOLD_MV, x=0.72)
    for key, col, lab in (("E1", EXCITATORY, "EPSP alone"),
                          ("I_shunt", INHIBITORY, "GABA_A with E_Cl = rest:\nno IPSP"),
                          ("E1I_shunt", BOTH, "EPSP + shunting\ninhibition")):
        response_panel(d, t, tr[key], color=col, label=lab, rest=rest)
    d.set_title(f"Shunting: E_Cl = rest, yet the EPSP shrinks by {s['shunt_epsp_reduction_pct']:.0f} %",
                loc="left")
    d.set_xlim(0, 60)
    for axis in (a, c, d):
        axis.set_xlabel("time (ms)")
        axis.set_ylabel("V at soma (mV)")
        legend_outside(axis)
    return fig
