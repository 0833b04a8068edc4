"""The pump-failure figure: concentrations, reversal potentials, V and the pump current over the
minutes after ouabain, with zooms on single spikes.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, legend_outside, new_figure, note


def plot_pump_failure(res):
    """V envelope with E_Na and E_K, concentrations, pump current, and spikes before/after the block."""
    s, m = res.summary, res.meta
    t = res.t / 1000.0
    off = m["pump_off_s"]
    pp = m["per_pulse"]
    fig, ax = new_figure(4, 1, height=2.8, width=8.0)
    a0, a1, a2, a3 = ax[:, 0]
    for a in (a1, a2):
        a.sharex(a0)
    for a in (a0, a1, a2):
        a.axvline(off, color="0.3", lw=1, ls="--")
    a0.fill_between(t, res["v_min"], res["v_max"], color="0.8", lw=0, label="V (range within each bin)")
    on = np.asarray(pp["onset_ms"]) / 1000.0
    fired = np.asarray(pp["fired"], bool)
    peaks = np.asarray(pp["peak_mV"])
    if len(on):
        a0.plot(on[fired], peaks[fired], ".", ms=3, color=COLORS["v"], label="spike peak")
        a0.plot(on[~fired], peaks[~fired], "x", ms=3, color=GREY,
                label="failed (< half the\nfirst amplitude)")
        a0.plot(on, pp["rest_mV"], "-", color=COLORS["v"], lw=1.6, label="V before each\npulse (rest)")
    a0.plot(t, res["ena"], "--", color=COLORS["na"], lw=1.2, label="E_Na")
    a0.plot(t, res["ek"], "--", color=COLORS["k"], lw=1.2, label="E_K")
    a0.set_ylabel("V (mV)")
    legend_outside(a0)
    note(a0, "rest follows E_K (K+ dominates the resting permeability);\nE_Na falls as Na+ accumulates inside",
          x=0.25, y=0.97)
    a0.set_title(f"Pump blocked at {off:g} s ({100 * m['block']:.0f} %): the gradients run down, rest "
                 "depolarizes,\nspikes shrink and fail", fontsize=10, loc="left")
    if s["failure_time_s"] is not None:
        a0.annotate(f"first failure {s['failure_time_s']:.1f} s", (s["failure_time_s"], 0),
                    xytext=(10, 18), textcoords="offset points", fontsize=9,
                    arrowprops=dict(arrowstyle="->", lw=0.6))

    a1.plot(t, res["ci:na"], color=COLORS["na"], label="[Na+] inside")
    a1.plot(t, res["co:k"], color=COLORS["k"], ls="--", label="[K+] outside\n(restricted space)")
    a1.set_ylabel("mM")
    a1b = a1.twinx()
    a1b.plot(t, res["ci:k"], color=COLORS["k"], label="[K+] inside\n(right axis)")
    a1b.set_ylabel("[K+] inside (mM)", color=COLORS["k"])
    h0, l0 = a1.get_legend_handles_labels()
    h1, l1 = a1b.get_legend_handles_labels()
    a1.legend(h0 + h1, l0 + l1, frameon=False, loc="upper left", bbox_to_anchor=(1.12, 1.0))
    note(a1, f"one AP moves {s['na_per_ap_mM'] * 1e3:.0f} µM Na+ in = {100 * s['na_per_ap_fraction']:.2f} % "
          f"of [Na+]i\n({s['na_per_ap_pmol_cm2']:.1f} pmol/cm², {m['diameter_um']:g}-µm axon)", x=0.3)

    a2.plot(t, res["NaKPump.ipump"], color=COLORS["v"])
    a2.set_ylabel("pump current\n(µA/cm², outward)")
    note(a2, f"at rest the pump's own current ({s['pump_current_uA_cm2']:.1f} µA/cm²) adds only "
          f"I/g = {s['pump_electrogenic_mV']:.1f} mV:\nrest {s['rest_mV']:.1f} mV with it, "
          f"{s['rest_without_pump_mV']:.1f} mV without it (same gradients).\nIt is the gradients it keeps "
          "(3 Na+ out, 2 K+ in per cycle) that matter:\nwithout it they run down over tens of seconds.",
          x=0.02, y=0.62)
    a2.set_xlabel("time (s)")
    a2.tick_params(labelbottom=True)

    _zooms(a3, res, pp, off)
    return fig


def _zooms(ax, res, pp, off):
    """Overlay the responses to a few pulses: before the block, after it, and at failure."""
    zoom = res.meta.get("zooms", {})
    cols = ("0.0", "0.3", "0.5", "0.65", "0.8")  # black to light grey: earlier to later
    for (label, (tz, vz)), col in zip(zoom.items(), cols):
        ax.plot(tz, vz, color=col, lw=1.6, label=label)
    ax.set_xlabel("time after pulse onset (ms)")
    ax.set_ylabel("V (mV)")
    ax.set_title("Zoom: the same pulse before the block and as the gradients fade", fontsize=10, loc="left")
    legend_outside(ax)
