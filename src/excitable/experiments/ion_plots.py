"""Figures of the ion experiments (resting-potential, permeability, pump-failure), written for students.

The point they make together: the resting potential is set by the permeabilities and the equilibrium
potentials; the Na+/K+ pump keeps the gradients over long times, and its own current adds only a few mV.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.style import COLORS, OKABE_ITO, new_figure

ION_COLOR = {"k": COLORS["k"], "na": COLORS["na"], "cl": COLORS["leak"]}
ION_LABEL = {"k": "K+", "na": "Na+", "cl": "Cl-"}


def _note(ax, text, x=0.02, y=0.97, **kw):
    ax.text(x, y, text, transform=ax.transAxes, va="top", fontsize=8,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.8", alpha=0.9), **kw)


def plot_resting_potential(res):
    """Equilibrium potentials vs rest (with permeability shares), V vs [K]o, and two compartments settling."""
    s, m = res.summary, res.meta
    fig, ax = new_figure(1, 3, height=4.2, width=14.0)
    a0, a1, a2 = ax[0]
    perm = {"k": m["pk"], "na": m["pna"], "cl": m["pcl"]}
    total = sum(perm.values())
    e = {"k": s["ek_mV"], "na": s["ena_mV"], "cl": s["ecl_mV"]}
    for i, ion in enumerate(("k", "na", "cl")):
        share = perm[ion] / total
        a0.bar(i, e[ion], width=0.25 + 0.55 * share, color=ION_COLOR[ion], alpha=0.75)
        a0.text(i, 3 if e[ion] < 0 else -3, f"P = {perm[ion]:g}\n({100 * share:.0f} %)", ha="center",
                va="bottom" if e[ion] < 0 else "top", fontsize=8, color="0.25")
    a0.axhline(s["rest_mV"], color=COLORS["v"], lw=2)
    a0.text(-0.45, s["rest_mV"] - 3, f"rest {s['rest_mV']:.2f} mV", va="top", ha="left", fontsize=9)
    a0.axhline(0, color="0.5", lw=0.6)
    a0.set_xticks(range(3), [f"{ION_LABEL[i]}\nE = {e[i]:+.2f} mV" for i in ("k", "na", "cl")])
    a0.set_xlim(-0.5, 2.5)
    a0.set_ylabel("equilibrium potential E (mV, inside - outside)")
    a0.set_ylim(-120, 100)
    a0.set_title("Each ion pulls V towards its own E;\nthe most permeant ion (K+) pulls hardest", fontsize=10)
    _note(a0, f"bars: E of each ion (Nernst, {s['temperature_degC']:g} degC)\nwidth: its share of the permeability\n"
          "rest (GHK): the permeability-weighted\ncompromise, near E_K", x=0.40, y=0.20)

    ko = np.asarray(s["ko_series_mM"])
    fine = np.geomspace(ko.min(), ko.max(), 200)
    vt = s["thermal_voltage_mV"]
    a1.semilogx(fine, vt * np.log(fine / m["ki"]), color=COLORS["k"], ls="--",
                label=f"E_K (Nernst, {s['nernst_slope_mV_per_decade']:.1f} mV per 10x)")
    a1.semilogx(ko, s["rest_vs_ko_mV"], "o-", color=COLORS["v"], label="resting potential (GHK)")
    v_ko = np.asarray(s["rest_vs_ko_mV"])
    for x, y, sl in zip(np.sqrt(ko[1:] * ko[:-1]), 0.5 * (v_ko[1:] + v_ko[:-1]), s["slope_vs_ko_mV_per_decade"]):
        a1.text(x, y - 3, f"{sl:.0f}", fontsize=7, ha="left", va="top", color="0.3")
    a1.set_xlabel("[K+] outside (mM, log scale)")
    a1.set_ylabel("V (mV)")
    a1.set_title("Raising [K+]o depolarizes: V follows E_K\nclosely only at high [K+]o", fontsize=10)
    a1.legend(fontsize=8, frameon=False, loc="lower right")
    _note(a1, "numbers: GHK slope between points (mV per 10x).\nAt low [K+]o the Na+ and Cl- terms keep\n"
          "V well above E_K; the slope nears Nernst\nonly when the K+ term dominates")

    t = res.t
    for label, y in res.traces.items():
        ls = "-" if "GHK" in label else "--"
        a2.plot(t, y, ls=ls, lw=1.6, label=label.replace("v (", "").rstrip(")"))
    for ion in ("k", "na", "cl"):
        a2.axhline(e[ion], color=ION_COLOR[ion], lw=0.8, ls=":")
        a2.text(t[-1], e[ion], f" E{ION_LABEL[ion]}", color=ION_COLOR[ion], fontsize=8, va="center")
    a2.set_xlabel("time (ms)")
    a2.set_ylabel("V (mV)")
    a2.set_ylim(-110, 80)
    a2.set_title("A compartment starting at 0 mV settles at rest", fontsize=10)
    a2.legend(fontsize=8, frameon=False, loc="upper right")
    g = {i: s[f"g_{i}_mS_cm2"] for i in ("k", "na", "cl")}
    _note(a2, "conductances at rest (mS/cm2): " + ", ".join(f"g{ION_LABEL[i]} {g[i]:.3f}" for i in g)
          + f"\nV = sum(g E) / sum(g) = {s['conductance_rest_mV']:.2f} mV"
          + f"\nsimulated: {s['sim_ghk_rest_mV']:.2f} (GHK), {s['sim_conductance_rest_mV']:.2f} mV (g)",
          y=0.80)
    return fig


def plot_permeability(res):
    """GHK rest vs scale factor, passive R_in / tau / EPSP vs k, HH spikes with the leak scaled."""
    from matplotlib.ticker import NullFormatter

    s, m = res.summary, res.meta
    k = np.asarray(s["k_values"])
    fig, ax = new_figure(2, 2, height=3.6, width=12.0)
    (a0, a1), (a2, a3) = ax
    series = [("all", "PK, PNa, PCl all x k", COLORS["v"]), ("na_and_k", "PNa and PK x k", OKABE_ITO["purple"]),
              ("na", "PNa x k", COLORS["na"]), ("k", "PK x k", COLORS["k"])]
    for key, label, col in series:
        a0.plot(k, s[f"ghk_rest_{key}_scaled_mV"], "o-", color=col, label=label)
    a0.set_xscale("log")
    a0.xaxis.set_minor_formatter(NullFormatter())
    a0.set_xticks(k, [f"{x:g}" for x in k])
    a0.set_xlabel("permeability scale factor k")
    a0.set_ylabel("GHK resting potential (mV)")
    a0.set_title("Only the ratios of permeabilities set the resting potential", fontsize=10)
    a0.legend(fontsize=8, frameon=False)
    _note(a0, f"PNa / PK = 20 (as at an AP peak): {s['ghk_rest_pna_over_pk_20_mV']:+.1f} mV", y=0.08, x=0.02)

    fine = np.linspace(k.min(), k.max(), 200)
    rin, tau = np.asarray(s["passive_rin_MOhm"]), np.asarray(s["passive_tau_ms"])
    ref = int(np.argmin(np.abs(k - 1.0)))
    a1.plot(fine, k[ref] / fine, color="0.6", lw=2, label="1/k (theory: R_in = 1/(g A), tau = C/g)")
    a1.plot(k, rin / rin[ref], "o", color=COLORS["v"], ms=8, label="input resistance (simulated)")
    a1.plot(k, tau / tau[ref], "s", color=OKABE_ITO["orange"], ms=4, label="time constant (simulated)")
    a1.set_xlabel("gK and gNa scale factor k (passive compartment)")
    a1.set_ylabel(f"relative to k = {k[ref]:g}")
    a1.set_title(f"More open channels: R_in and tau fall as 1/k (rest stays {s['passive_rest_mV']:.1f} mV)",
                 fontsize=10)
    a1.legend(fontsize=8, frameon=False, loc="upper right")
    _note(a1, "\n".join(f"k = {x:g}: R_in {r:.0f} MOhm, tau {t_:.2f} ms" for x, r, t_ in zip(k, rin, tau)),
          x=0.35, y=0.55)

    t = res.t
    t0 = 305.0
    win = (t >= t0 - 5) & (t <= t0 + 40)
    for (label, y), x, epsp in zip(res.traces.items(), k, s["passive_epsp_mV"]):
        a2.plot(t[win] - t0, y[win] - y[win][0], lw=1.5, label=f"k = {x:g}: EPSP {epsp:.2f} mV")
    a2.set_xlabel("time after EPSC onset (ms)")
    a2.set_ylabel("EPSP (mV from rest)")
    a2.set_title("The same synaptic current (5 ms) makes a smaller,\nbriefer EPSP when the membrane is leakier",
                 fontsize=10)
    a2.legend(fontsize=8, frameon=False)

    th = m["hh_t"]
    for label, y in m["hh_traces"].items():
        if "leak" in label:
            a3.plot(th, y, lw=1.4, label=label.split(":")[0].replace("HH leak x", "HH leak x "))
    amp = s["hh_leak_amplitude_mV"]
    thr = s["hh_leak_threshold_uA_cm2"]
    a3.set_xlabel("time (ms)")
    a3.set_ylabel("V (mV)")
    a3.set_title(f"HH spike with its Na+/K+ leak x k (same {s['hh_leak_stimulus_uA_cm2']:.1f} uA/cm2 pulse):\n"
                 "the leak shunts it: smaller, higher threshold", fontsize=10)
    a3.legend(fontsize=8, frameon=False, loc="upper right")
    _note(a3, "\n".join(f"k = {x:g}: amplitude {a:.1f} mV, threshold "
                        + (f"{t_:.2f} uA/cm2" if t_ is not None else "none")
                        for x, a, t_ in zip(k, amp, thr)), y=0.55, x=0.45)
    return fig


def plot_pump_failure(res):
    """V envelope with E_Na and E_K, concentrations, pump current, and spikes before/after the block."""
    s, m = res.summary, res.meta
    t = res.t / 1000.0
    off = m["pump_off_s"]
    pp = m["per_pulse"]
    fig, ax = new_figure(4, 1, height=2.5, width=10.0)
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
        a0.plot(on[~fired], peaks[~fired], "x", ms=3, color=OKABE_ITO["vermillion"],
                label="failed (< half the first amplitude)")
        a0.plot(on, pp["rest_mV"], "-", color=OKABE_ITO["purple"], lw=1.2, label="V before each pulse (rest)")
    a0.plot(t, res["ena"], "--", color=COLORS["na"], lw=1.2, label="E_Na")
    a0.plot(t, res["ek"], "--", color=COLORS["k"], lw=1.2, label="E_K")
    a0.set_ylabel("V (mV)")
    a0.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    _note(a0, "rest follows E_K (K+ dominates the resting permeability);\nE_Na falls as Na+ accumulates inside",
          x=0.25, y=0.97)
    a0.set_title(f"Pump blocked at {off:g} s ({100 * m['block']:.0f} %): the gradients run down, rest "
                 "depolarizes, spikes shrink and fail", fontsize=10)
    if s["failure_time_s"] is not None:
        a0.annotate(f"first failure {s['failure_time_s']:.1f} s", (s["failure_time_s"], 0),
                    xytext=(10, 18), textcoords="offset points", fontsize=8,
                    arrowprops=dict(arrowstyle="->", lw=0.6))

    a1.plot(t, res["ci:na"], color=COLORS["na"], label="[Na+] inside")
    a1.plot(t, res["co:k"], color=COLORS["k"], ls="--", label="[K+] outside (restricted space)")
    a1.set_ylabel("mM")
    a1b = a1.twinx()
    a1b.plot(t, res["ci:k"], color=COLORS["k"], label="[K+] inside (right axis)")
    a1b.set_ylabel("[K+] inside (mM)", color=COLORS["k"])
    h0, l0 = a1.get_legend_handles_labels()
    h1, l1 = a1b.get_legend_handles_labels()
    a1.legend(h0 + h1, l0 + l1, fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.08, 0.5))
    _note(a1, f"one AP moves {s['na_per_ap_mM'] * 1e3:.0f} uM Na+ in = {100 * s['na_per_ap_fraction']:.2f} % "
          f"of [Na+]i ({s['na_per_ap_pmol_cm2']:.1f} pmol/cm2, {m['diameter_um']:g}-um axon)", x=0.35)

    a2.plot(t, res["NaKPump.ipump"], color=OKABE_ITO["green"])
    a2.set_ylabel("pump current\n(uA/cm2, outward)")
    _note(a2, f"at rest the pump's own current ({s['pump_current_uA_cm2']:.1f} uA/cm2) adds only "
          f"I/g = {s['pump_electrogenic_mV']:.1f} mV:\nrest {s['rest_mV']:.1f} mV with it, "
          f"{s['rest_without_pump_mV']:.1f} mV without it (same gradients). It is the gradients it keeps\n"
          "(3 Na+ out, 2 K+ in per cycle) that matter: without it they run down over tens of seconds.",
          x=0.02, y=0.62)
    a2.set_xlabel("time (s)")
    a2.tick_params(labelbottom=True)

    _zooms(a3, res, pp, off)
    return fig


def _zooms(ax, res, pp, off):
    """Overlay the responses to a few pulses: before the block, after it, and at failure."""
    zoom = res.meta.get("zooms", {})
    cols = (COLORS["v"], OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["vermillion"], OKABE_ITO["purple"])
    for (label, (tz, vz)), col in zip(zoom.items(), cols):
        ax.plot(tz, vz, color=col, lw=1.4, label=label)
    ax.set_xlabel("time after pulse onset (ms)")
    ax.set_ylabel("V (mV)")
    ax.set_title("Zoom: the same pulse before the block and as the gradients fade", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
