"""Figures for the synapse experiments: the chain terminal -> cleft -> receptors -> postsynaptic V,
excitation and inhibition, receptor types, and transmitter clearance. Written for students: units on
every axis, legends, the events that matter annotated, the Okabe-Ito palette of ``style``."""

from __future__ import annotations

import numpy as np

from excitable.experiments.style import OKABE_ITO, new_figure

PRE, TERM, POST = OKABE_ITO["sky"], OKABE_ITO["blue"], OKABE_ITO["black"]
TRANSMITTER, OPEN, CURRENT = OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["vermillion"]
INHIB, EXCIT = OKABE_ITO["blue"], OKABE_ITO["vermillion"]


def _mark(ax, x, text, *, color="0.3", y=0.97, ha="left"):
    ax.axvline(x, color=color, lw=0.8, ls=":")
    ax.text(x, y, f" {text} ", transform=ax.get_xaxis_transform(), fontsize=7, va="top", ha=ha, color=color)


def plot_synaptic_transmission(res):
    """Left: close-up of the delay (terminal AP, cleft, receptors, EPSP onset); right: whole response."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(4, 2, height=1.9, width=10.0, sharex="col")
    t_peak, t_rel, t_on = s["terminal_peak_ms"], s["release_ms"], s["epsp_onset_ms"]
    zoom = (t_peak - 1.5, t_peak + 3.0)
    for col, (lo, hi) in enumerate((zoom, (t[0], t[-1]))):
        sel = (t >= lo) & (t <= hi)
        a_pre, a_T, a_r, a_post = ax[:, col]
        a_pre.plot(t[sel], tr["v_pre_soma"][sel], color=PRE, label="presynaptic soma")
        a_pre.plot(t[sel], tr["v_terminal"][sel], color=TERM, lw=1.8, label="axon terminal")
        a_T.plot(t[sel], tr["transmitter"][sel], color=TRANSMITTER, lw=1.8, label="transmitter in cleft")
        a_r.plot(t[sel], tr["open_fraction"][sel], color=OPEN, lw=1.8, label="receptors open")
        a_i = a_r.twinx()
        a_i.plot(t[sel], tr["i_syn"][sel], color=CURRENT, lw=1.0, ls="--", label="synaptic current")
        a_i.set_ylabel("current (nA)\ninward < 0", color=CURRENT, fontsize=7)
        a_i.spines["top"].set_visible(False)
        a_post.plot(t[sel], tr["v_post"][sel], color=POST, lw=1.8, label="postsynaptic V")
        a_pre.set_ylabel("V (mV)")
        a_T.set_ylabel("[T] (mM)")
        a_r.set_ylabel("open fraction")
        a_post.set_ylabel("V (mV)")
        a_post.set_xlabel("time (ms)")
        a_post.set_xlim(lo, hi)
        if col == 0:
            a_pre.set_title("Close-up: from the terminal's spike to the EPSP", fontsize=9)
            _mark(a_pre, t_peak, f"AP peak at terminal ({t_peak:.2f} ms)", y=0.12)
            if t_rel is not None:
                _mark(a_T, t_rel, f"release: peak + {s['release_after_peak_ms']:.2f} ms",
                      color=TRANSMITTER, ha="right", y=0.6)
                a_r.axvline(t_rel, color=TRANSMITTER, lw=0.8, ls=":")
            if t_on is not None:
                _mark(a_post, t_on, f"EPSP onset (V + {ONSET_TEXT})", color=POST, y=0.55)
                a_post.annotate("", xy=(t_on, 0.25), xytext=(t_peak, 0.25), xycoords=("data", "axes fraction"),
                                arrowprops=dict(arrowstyle="<->", lw=0.8))
                a_post.text((t_on + t_peak) / 2, 0.3, f"synaptic delay {s['synaptic_delay_ms']:.2f} ms",
                            transform=a_post.get_xaxis_transform(), ha="center", fontsize=7)
        else:
            a_pre.set_title(f"Whole response: {s['receptor']}, gmax {s['gmax_uS']:g} uS, "
                            f"{s['temperature_degC']:g} degC", fontsize=9)
            rest = s["postsynaptic_rest_mV"]
            msg = ("postsynaptic cell fires" if s["postsynaptic_fired"]
                   else f"EPSP {s['epsp_amplitude_mV']:.1f} mV (below threshold)")
            a_post.axhline(rest, color="0.6", lw=0.7, ls=":")
            a_post.text(0.98, 0.95, msg, transform=a_post.transAxes, ha="right", va="top", fontsize=8)
        where = (("center right", "center right", "center left", "upper left") if col == 0
                 else ("upper right", "upper right", "center right", "lower right"))
        for a, loc in zip((a_pre, a_T, a_r, a_post), where):
            handles = a.get_legend_handles_labels()
            if a is a_r:
                extra = a_i.get_legend_handles_labels()
                handles = (handles[0] + extra[0], handles[1] + extra[1])
            a.legend(*handles, loc=loc, fontsize=7, frameon=False)
    return fig


ONSET_TEXT = "0.1 mV"


def response_panel(ax, t, y, *, color, label, rest=None):
    """One trace with an optional dotted rest line."""
    ax.plot(t, y, color=color, lw=1.6, label=label)
    if rest is not None:
        ax.axhline(rest, color="0.6", lw=0.7, ls=":")


def plot_excitation_inhibition(res):
    """(a) summation in time and space; (b) E + I at several timings; (c) the veto by somatic inhibition
    and the shunt with E_Cl at rest."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(2, 2, height=3.0, width=11.0)
    a, b, c, d = ax[0, 0], ax[0, 1], ax[1, 0], ax[1, 1]
    rest = s["rest_mV"]
    for key, col, lab in (("E1", EXCIT, "one EPSP"), ("E1E1", OKABE_ITO["orange"], "two EPSPs, 5 ms apart (time)"),
                          ("E1E2", OKABE_ITO["purple"], "two synapses at once (space)"),
                          ("I_soma", INHIB, "IPSP (GABA_A at soma, E_Cl -80 mV)"),
                          ("E1I_soma", OKABE_ITO["green"], "EPSP + IPSP together")):
        response_panel(a, t, tr[key], color=col, label=lab, rest=rest)
    a.set_title("Summation: EPSPs add in time and space; an IPSP subtracts", fontsize=9)
    a.text(0.98, 0.05, f"two EPSPs in time: {s['temporal_summation_ratio']:.2f} x one\n"
           f"two sites at once: {100 * s['spatial_linearity']:.0f} % of the linear sum\n"
           f"EPSP + IPSP: {s['ei_at_epsp_peak_mV']:+.1f} mV (sum of the two alone "
           f"{s['ei_linear_prediction_mV']:+.1f} mV)",
           transform=a.transAxes, ha="right", va="bottom", fontsize=7)
    a.set_xlim(0, 60)
    dts, peaks = np.asarray(s["timing_dt_ms"]), np.asarray(s["timing_peak_mV"])
    b.plot(dts, peaks, "o-", color=INHIB, label="EPSP peak with an IPSP at dt")
    b.axhline(s["epsp_alone_peak_mV"], color=EXCIT, ls="--", lw=1, label="EPSP peak alone")
    b.set_xlabel("IPSP time - EPSP time, dt (ms)  (negative: IPSP first)")
    b.set_ylabel("peak depolarization\nat soma (mV above rest)")
    b.set_title(f"Timing: inhibition works best with or just before the EPSP\n"
                f"(strongest at dt = {s['strongest_inhibition_dt_ms']:g} ms)", fontsize=9)
    b.legend(fontsize=7, frameon=False)
    for key, col, lab, n in (
            ("strong_E", EXCIT, "strong excitation alone", s["n_spikes_excitation_alone"]),
            ("strong_E_I_soma", INHIB, "+ inhibition at the soma", s["n_spikes_with_soma_inhibition"]),
            ("strong_E_I_distal", OKABE_ITO["sky"], "+ same inhibition at another dendrite's tip",
             s["n_spikes_with_distal_inhibition"])):
        response_panel(c, t, tr[key], color=col, label=f"{lab}: {n} spike{'s' if n != 1 else ''}", rest=rest)
    c.set_title("Veto: inhibition near the soma stops the spike", fontsize=9)
    c.set_xlim(0, 60)
    c.set_ylim(top=75)
    for key, col, lab in (("E1", EXCIT, "EPSP alone"), ("I_shunt", INHIB, "GABA_A with E_Cl = rest: no IPSP"),
                          ("E1I_shunt", OKABE_ITO["green"], "EPSP + shunting inhibition")):
        response_panel(d, t, tr[key], color=col, label=lab, rest=rest)
    d.set_title(f"Shunting: E_Cl = rest, yet the EPSP shrinks by {s['shunt_epsp_reduction_pct']:.0f} %",
                fontsize=9)
    d.set_xlim(0, 60)
    for axis in (a, c, d):
        axis.set_xlabel("time (ms)")
        axis.set_ylabel("V at soma (mV)")
        axis.legend(fontsize=7, frameon=False, loc="upper right")
    return fig


def plot_receptor_types(res):
    """Nicotinic (fast, depolarizing) vs muscarinic M2 (slow, hyperpolarizing) on two time scales."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(2, 2, height=2.8, width=11.0)
    t0 = s["release_ms"]
    for col, (lo, hi) in enumerate(((t0 - 2, t0 + 20), (t[0], t[-1]))):
        sel = (t >= lo) & (t <= hi)
        a_v, a_g = ax[0, col], ax[1, col]
        a_v.plot(t[sel], tr["v_nicotinic"][sel], color=EXCIT, lw=1.6, label="nicotinic cell")
        a_v.plot(t[sel], tr["v_muscarinic"][sel], color=INHIB, lw=1.6, label="muscarinic (M2) cell")
        if "v_muscarinic_burst" in tr and col == 1:
            a_v.plot(t[sel], tr["v_muscarinic_burst"][sel], color=OKABE_ITO["sky"], lw=1.2, ls="--",
                     label=f"muscarinic, burst of {s['burst_spikes']}")
        a_v.axhline(s["rest_mV"], color="0.6", lw=0.7, ls=":")
        a_g.plot(t[sel], tr["g_nicotinic"][sel] / max(tr["g_nicotinic"].max(), 1e-30), color=EXCIT,
                 label="nicotinic: cation channel open")
        a_g.plot(t[sel], tr["g_muscarinic"][sel] / max(tr["g_muscarinic"].max(), 1e-30), color=INHIB,
                 label="M2 -> G protein -> K+ (GIRK) open")
        for a in (a_v, a_g):
            _mark(a, t0, "ACh release", color=TRANSMITTER)
            a.set_xlim(lo, hi)
            a.legend(fontsize=7, frameon=False, loc="lower right" if a is a_v else "upper right")
        a_v.set_ylabel("V (mV)")
        a_g.set_ylabel("conductance\n(fraction of its peak)")
        a_g.set_xlabel("time (ms)")
    n, m = s["nicotinic"], s["muscarinic"]
    ax[0, 0].set_title(f"First 20 ms: nicotinic {n['sign']} ({n['peak_mV']:+.1f} mV, peak after "
                       f"{n['time_to_peak_ms']:.1f} ms);\nmuscarinic: nothing yet", fontsize=9)
    ax[0, 1].set_title(f"Whole run: muscarinic {m['sign']} ({m['peak_mV']:+.1f} mV), starts after "
                       f"{m['latency_ms']:.0f} ms,\npeaks at {m['time_to_peak_ms']:.0f} ms, half-width "
                       f"{m['duration_ms']:.0f} ms; a burst: {s['burst_conductance_ratio']:.0f}x the conductance",
                       fontsize=9)
    return fig


def plot_transmitter_clearance(res):
    """Control vs blocked clearance: one endplate current, the train, desensitization, and a close-up
    of one release showing the depolarization block (V above threshold, Na+ inactivation gate h low)."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(3, 2, height=2.4, width=11.0)
    ctl, blk = OKABE_ITO["black"], OKABE_ITO["vermillion"]
    labels = {"control": f"normal clearance (tau {s['tau_clear_control_ms']:g} ms)",
              "blocked": f"AChE blocked (tau {s['tau_clear_blocked_ms']:g} ms)"}
    colors = {"control": ctl, "blocked": blk}
    t1 = s["first_release_ms"]
    sel = (t >= t1 - 1) & (t <= t1 + 12)
    for a, key, ylab, title in (
            (ax[0, 0], "T", "[ACh] in cleft (mM)", "Transmitter after one release"),
            (ax[0, 1], "O", "receptors open",
             f"Endplate conductance decays {s['epc_decay_ratio']:.1f}x slower when ACh stays "
             f"(1/e: {s['epc_decay_control_ms']:.1f} -> {s['epc_decay_blocked_ms']:.1f} ms)")):
        for cond in ("control", "blocked"):
            a.plot(t[sel], tr[f"{key}_{cond}"][sel], color=colors[cond], lw=1.6, label=labels[cond])
        a.set_ylabel(ylab)
        a.set_xlabel("time (ms)")
        a.set_title(title, fontsize=9)
        a.legend(fontsize=7, frameon=False)
    for row, cond in ((1, "control"), (2, "blocked")):
        a = ax[row, 0]
        a.plot(t, tr[f"v_{cond}"], color=colors[cond], lw=0.8)
        a.axhline(-55.0, color="0.5", lw=0.7, ls=":")
        a.text(t[-1], -55.0, "threshold ", ha="right", va="bottom", fontsize=7, color="0.4")
        a.set_ylabel("V (mV)")
        a.set_xlabel("time (ms)")
        a.set_title(f"{labels[cond]}: {s[f'n_spikes_{cond}']} spikes to {s['n_releases']} releases at "
                    f"{s['rate_hz']:g} Hz; {s[f'depolarized_ms_per_release_{cond}']:.1f} ms above -50 mV "
                    f"per release", fontsize=8)
    a = ax[1, 1]
    for cond in ("control", "blocked"):
        a.plot(t, tr[f"D_{cond}"], color=colors[cond], lw=1.6,
               label=f"{labels[cond]}: {100 * s[f'desensitized_end_{cond}']:.0f} % at the end")
    a.set_ylabel("desensitized\nfraction (D)")
    a.set_xlabel("time (ms)")
    a.set_title("Receptors desensitize when ACh lingers (the response fades)", fontsize=9)
    a.legend(fontsize=7, frameon=False, loc="upper left")
    # Close-up of the fifth release: V and Na+ inactivation h in both conditions.
    times = res.meta["release_times_ms"]
    t5 = times[min(4, len(times) - 1)]
    isi = 1000.0 / s["rate_hz"]
    sel = (t >= t5 - 1) & (t <= t5 + isi)
    a = ax[2, 1]
    a_h = a.twinx()
    for cond in ("control", "blocked"):
        a.plot(t[sel], tr[f"v_{cond}"][sel], color=colors[cond], lw=1.6, label=f"V, {cond}")
        a_h.plot(t[sel], tr[f"h_{cond}"][sel], color=colors[cond], lw=1.0, ls="--", label=f"h, {cond}")
    a.axhline(-55.0, color="0.5", lw=0.7, ls=":")
    a.set_ylabel("V (mV)")
    a.set_xlabel("time (ms)")
    a_h.set_ylabel("Na+ inactivation gate h\n(dashed; 1 = ready)", fontsize=7)
    a_h.set_ylim(0, 1.05)
    a_h.spines["top"].set_visible(False)
    block = "depolarization block" if s["depolarization_block"] else "no block"
    a.set_title(f"One release, close-up: blocked cell sits above threshold with h = "
                f"{s['h_on_plateau_blocked'] or float('nan'):.2f} ({block})", fontsize=8)
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = a_h.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, fontsize=7, frameon=False, loc="upper right", ncol=2)
    return fig
