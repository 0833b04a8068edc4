"""The receptor-types figure: the same acetylcholine on a nicotinic receptor (fast excitation), a
muscarinic M2 receptor (slow inhibition) and a muscarinic M1 receptor (slow excitation by closing the
M-type K+ channels)."""

from __future__ import annotations

from excitable.experiments.common.figures import (COLORS, EXCITATORY, GREY, INHIBITORY, TRANSMITTER,
                                                  legend_outside, mark, new_figure)


def _nicotinic(a_v, a_g, t, tr, s):
    """The first 20 ms: the nicotinic EPSP and its cation conductance."""
    t0 = s["release_ms"]
    sel = (t >= t0 - 2) & (t <= t0 + 20)
    a_v.plot(t[sel], tr["v_nicotinic"][sel], color=EXCITATORY, lw=1.6, label="nicotinic cell")
    a_v.plot(t[sel], tr["v_muscarinic"][sel], color=INHIBITORY, lw=1.2, ls="--", label="M2 cell: nothing yet")
    a_g.plot(t[sel], 1e3 * tr["g_nicotinic"][sel], color=EXCITATORY, label="cation channel (Na+, K+)")
    n = s["nicotinic"]
    a_v.set_title(f"Nicotinic: {n['peak_mV']:+.1f} mV after {n['time_to_peak_ms']:.1f} ms"
                  if n["time_to_peak_ms"] is not None else "Nicotinic: no response (curare)")
    a_g.set_ylabel("conductance (nS)")
    for a in (a_v, a_g):
        mark(a, t0, "ACh", color=TRANSMITTER)
        a.set_xlim(t0 - 2, t0 + 20)


def _m2(a_v, a_g, t, tr, s):
    """The whole run: the M2 cell's slow hyperpolarization (one release and a burst), GIRK opening."""
    a_v.plot(t, tr["v_muscarinic"], color=INHIBITORY, lw=1.6, label="M2, one release")
    a_v.plot(t, tr["v_muscarinic_burst"], color=INHIBITORY, lw=1.0, ls="--",
             label=f"M2, burst of {s['burst_spikes']}")
    a_g.plot(t, 1e3 * tr["g_muscarinic"], color=COLORS["k"], lw=1.6, label="GIRK K+ (one release)")
    a_g.plot(t, 1e3 * tr["g_muscarinic_burst"], color=COLORS["k"], lw=1.0, ls="--", label="GIRK K+ (burst)")
    m = s["muscarinic"]
    a_v.set_title(f"Muscarinic M2: {m['peak_mV']:+.1f} mV after {m['time_to_peak_ms']:.0f} ms"
                  if m["time_to_peak_ms"] is not None else "Muscarinic M2: no response (atropine)")
    a_g.set_ylabel("K+ conductance opened (nS)")
    for a in (a_v, a_g):
        mark(a, s["release_ms"], "ACh", color=TRANSMITTER)


def _m1(a_v, a_g, t, tr, s, step):
    """The whole run: the M1 cells with and without ACh, the same current step, the M conductance."""
    a_v.plot(t, tr["v_m1_control"], color=GREY, lw=1.0, label="M1 cell, no ACh")
    a_v.plot(t, tr["v_m1"], color=EXCITATORY, lw=1.2, label="M1 cell, ACh burst")
    a_v.axvspan(*step, color=COLORS["stimulus"], alpha=0.15, lw=0,
                label=f"current step, {s['m1_step_uA_cm2']:g} µA/cm²")
    a_g.plot(t, 1e3 * tr["g_m_current_control"], color=GREY, lw=1.2, label="M-type K+, no ACh")
    a_g.plot(t, 1e3 * tr["g_m_current"], color=COLORS["k"], lw=1.6, label="M-type K+, ACh: closed")
    a_v.set_title(f"Muscarinic M1: {s['m1_spikes']} spikes instead of {s['m1_spikes_control']}")
    a_g.set_ylabel("K+ conductance open (nS)")
    for a in (a_v, a_g):
        mark(a, s["release_ms"], "ACh", color=TRANSMITTER)
        a.set_xlim(0, step[1] + 300)  # the step and the M current's recovery after it


def plot_receptor_types(res):
    """Three columns: nicotinic (first 20 ms), M2 (whole run), M1 (whole run); V above, the
    conductance the receptor controls below."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(2, 3, height=3.2, width=14.0, sharex="col")
    _nicotinic(ax[0, 0], ax[1, 0], t, tr, s)
    _m2(ax[0, 1], ax[1, 1], t, tr, s)
    _m1(ax[0, 2], ax[1, 2], t, tr, s, res.meta["m1_step_ms"])
    for col in range(3):
        ax[0, col].set_ylabel("V (mV)")
        ax[1, col].set_xlabel("time (ms)")
        for row in range(2):
            if row == 1 or col == 2:  # the M1 cell's spikes fill its panel: its legend goes below too
                legend_outside(ax[row, col], where="below", ncol=1)
            else:
                ax[row, col].legend(frameon=False, loc=("upper right", "lower right")[col])
    fig.suptitle("The same acetylcholine: nicotinic excites fast, M2 inhibits slowly, M1 excites slowly")
    return fig
