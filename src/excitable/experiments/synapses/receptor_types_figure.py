"""The receptor-types figure: the same acetylcholine on nicotinic and muscarinic receptors."""

from __future__ import annotations

from excitable.experiments.common.figures import (EXCITATORY, INHIBITORY, OKABE_ITO, TRANSMITTER, mark,
                                                  new_figure)


def plot_receptor_types(res):
    """Nicotinic (fast, depolarizing) vs muscarinic M2 (slow, hyperpolarizing) on two time scales."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(2, 2, height=2.8, width=11.0)
    t0 = s["release_ms"]
    for col, (lo, hi) in enumerate(((t0 - 2, t0 + 20), (t[0], t[-1]))):
        sel = (t >= lo) & (t <= hi)
        a_v, a_g = ax[0, col], ax[1, col]
        a_v.plot(t[sel], tr["v_nicotinic"][sel], color=EXCITATORY, lw=1.6, label="nicotinic cell")
        a_v.plot(t[sel], tr["v_muscarinic"][sel], color=INHIBITORY, lw=1.6, label="muscarinic (M2) cell")
        if "v_muscarinic_burst" in tr and col == 1:
            a_v.plot(t[sel], tr["v_muscarinic_burst"][sel], color=OKABE_ITO["sky"], lw=1.2, ls="--",
                     label=f"muscarinic, burst of {s['burst_spikes']}")
        a_v.axhline(s["rest_mV"], color="0.6", lw=0.7, ls=":")
        a_g.plot(t[sel], tr["g_nicotinic"][sel] / max(tr["g_nicotinic"].max(), 1e-30), color=EXCITATORY,
                 label="nicotinic: cation channel open")
        a_g.plot(t[sel], tr["g_muscarinic"][sel] / max(tr["g_muscarinic"].max(), 1e-30), color=INHIBITORY,
                 label="M2 -> G protein -> K+ (GIRK) open")
        for a in (a_v, a_g):
            mark(a, t0, "ACh release", color=TRANSMITTER)
            a.set_xlim(lo, hi)
            a.legend(fontsize=7, frameon=False, loc="lower right" if a is a_v else "upper right")
        a_v.set_ylabel("V (mV)")
        a_g.set_ylabel("conductance\n(fraction of its peak)")
        a_g.set_xlabel("time (ms)")
    n, m = s["nicotinic"], s["muscarinic"]
    # A blocker (curare, atropine) leaves a cell without a response: its title says so.
    nicotinic = (f"nicotinic {n['sign']} ({n['peak_mV']:+.1f} mV, peak after {n['time_to_peak_ms']:.1f} ms)"
                 if n["time_to_peak_ms"] is not None else "nicotinic: no response (blocked)")
    ax[0, 0].set_title(f"First 20 ms: {nicotinic};\nmuscarinic: nothing yet", fontsize=9)
    if m["time_to_peak_ms"] is None:
        muscarinic = "Whole run: muscarinic: no response (blocked)"
    else:
        muscarinic = (f"Whole run: muscarinic {m['sign']} ({m['peak_mV']:+.1f} mV), starts after "
                      f"{m['latency_ms']:.0f} ms,\npeaks at {m['time_to_peak_ms']:.0f} ms, half-width "
                      f"{m['duration_ms']:.0f} ms; a burst: {s['burst_conductance_ratio']:.0f}x the conductance")
    ax[0, 1].set_title(muscarinic, fontsize=9)
    return fig
