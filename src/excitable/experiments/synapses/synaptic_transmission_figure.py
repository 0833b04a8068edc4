"""The synaptic-transmission figure: the delay close up (terminal AP, transmitter in the cleft, receptors
opening, EPSP onset) and the whole response: an EPSP below threshold (its height marked), or an EPSP
that reaches threshold and fires the cell (the threshold crossing and the spike marked, "fired").
"""

from __future__ import annotations

from excitable.experiments.common.figures import (COLORS, EXCITATORY, GREY, TRANSMITTER, mark, new_figure,
                                                  reference_lines)

# V in black (the presynaptic soma grey), the receptors and their current in the excitatory colour
PRE, TERM, POST = GREY, COLORS["v"], COLORS["v"]
OPEN, CURRENT = EXCITATORY, EXCITATORY
ONSET_TEXT = "0.1 mV"


def plot_synaptic_transmission(res):
    """Left: close-up of the delay (terminal AP, cleft, receptors, EPSP onset); right: whole response."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(4, 2, height=2.1, width=10.0, sharex="col")
    t_peak, t_rel, t_on = s["terminal_peak_ms"], s["release_ms"], s["epsp_onset_ms"]
    zoom = (t_peak - 1.5, t_peak + 3.0)
    for col, (lo, hi) in enumerate((zoom, (t[0], t[-1]))):
        sel = (t >= lo) & (t <= hi)
        a_pre, a_T, a_r, a_post = ax[:, col]
        a_pre.plot(t[sel], tr["v_pre_soma"][sel], color=PRE, label="presynaptic soma")
        a_pre.plot(t[sel], tr["v_terminal"][sel], color=TERM, lw=1.8, label="axon terminal")
        a_T.plot(t[sel], tr["transmitter"][sel], color=TRANSMITTER, lw=1.8, label="transmitter in cleft")
        blocked = s["receptors_blocked_fraction"] >= 1.0  # the antagonist scales gmax: the states still move
        a_r.plot(t[sel], tr["open_fraction"][sel], color=OPEN, lw=1.8,
                 label="receptors open\nwithout the antagonist" if blocked else "receptors open")
        a_i = a_r.twinx()
        a_i.plot(t[sel], tr["i_syn"][sel], color=CURRENT, lw=1.0, ls="--", label="synaptic current")
        a_i.set_ylabel("current (nA)\ninward < 0", color=CURRENT, fontsize=9)
        a_i.spines["top"].set_visible(False)
        a_post.plot(t[sel], tr["v_post"][sel], color=POST, lw=1.8, label="postsynaptic V")
        a_pre.set_ylabel("V (mV)")
        a_T.set_ylabel("[T] (mM)")
        a_r.set_ylabel("open fraction")
        a_post.set_ylabel("V (mV)")
        a_post.set_xlabel("time (ms)")
        a_post.set_xlim(lo, hi)
        if col == 0:
            a_pre.set_title("Close-up: from the terminal's spike to the EPSP", fontsize=10)
            mark(a_pre, t_peak, f"AP peak at terminal ({t_peak:.2f} ms)", y=0.12)
            if t_rel is not None:
                mark(a_T, t_rel, f"release: peak + {s['release_after_peak_ms']:.2f} ms",
                      color=TRANSMITTER, ha="left", y=0.45)
                a_r.axvline(t_rel, color=TRANSMITTER, lw=0.8, ls=":")
            if t_on is not None:
                mark(a_post, t_on, f"EPSP onset (V + {ONSET_TEXT})", color=POST, y=0.55)
                a_post.annotate("", xy=(t_on, 0.25), xytext=(t_peak, 0.25), xycoords=("data", "axes fraction"),
                                arrowprops=dict(arrowstyle="<->", lw=0.8))
                a_post.text((t_on + t_peak) / 2, 0.3, f"synaptic delay {s['synaptic_delay_ms']:.2f} ms",
                            transform=a_post.get_xaxis_transform(), ha="center", fontsize=9)
        else:
            a_pre.set_title(f"Whole response: {s['receptor'].upper()}, gmax {s['gmax_uS']:g} µS, "
                            f"{s['temperature_degC']:g} °C", fontsize=10)
            reference_lines(a_post, rest=s["postsynaptic_rest_mV"], threshold=s["threshold_mV"], x=0.97)
            annotate_outcome(a_post, t, tr["v_post"], s)
        where = (("center right", "upper right", "center left", "upper left") if col == 0
                 else ("upper right", "upper right", "center right",
                       "upper right" if s["postsynaptic_fired"] else "center right"))
        for a, loc in zip((a_pre, a_T, a_r, a_post), where):
            handles = a.get_legend_handles_labels()
            if a is a_r:
                extra = a_i.get_legend_handles_labels()
                handles = (handles[0] + extra[0], handles[1] + extra[1])
            a.legend(*handles, loc=loc, fontsize=9, frameon=False)
    fig.suptitle(title(s), fontsize=12, fontweight="bold")
    return fig


def title(s) -> str:
    """The answer in the figure's title: the delay, and an EPSP below threshold or a spike."""
    if not s["postsynaptic_fired"] and s["receptors_blocked_fraction"] >= 1.0:
        return "Receptors blocked: transmitter is released, but no current flows and there is no EPSP"
    if s["synaptic_delay_ms"] is None:
        return f"Transmitter released, but no EPSP: V rises by only {s['epsp_amplitude_mV']:.2f} mV"
    across = f"Across the synapse in {s['synaptic_delay_ms']:.2f} ms"
    if s["postsynaptic_fired"]:
        return f"{across}: the EPSP reached threshold and the cell fired"
    return f"{across}: an EPSP of {s['epsp_amplitude_mV']:.1f} mV, below threshold"


def annotate_outcome(ax, t, v, s):
    """On the whole postsynaptic V: the spike (where V crossed threshold, its peak, "fired"), or the
    EPSP's height from rest (below threshold)."""
    if s["postsynaptic_fired"]:
        t_thr, thr = s["threshold_crossing_ms"], s["threshold_mV"]
        ax.plot([t_thr], [thr], "o", ms=6, mfc="none", mec=POST, mew=1.5, zorder=5)
        ax.annotate(f"threshold reached\n({s['epsp_onset_to_threshold_ms']:.1f} ms after EPSP onset)",
                    xy=(t_thr, thr), xytext=(t_thr + 0.06 * (t[-1] - t[0]), thr + 18), fontsize=9,
                    arrowprops=dict(arrowstyle="->", lw=0.8))
        k = int(v.argmax())
        ax.annotate(f"spike, peak {s['postsynaptic_peak_mV']:+.0f} mV", xy=(t[k], v[k]),
                    xytext=(t[k] + 0.06 * (t[-1] - t[0]), v[k] - 8), fontsize=9, va="top",
                    arrowprops=dict(arrowstyle="->", lw=0.8))
        n = s["n_postsynaptic_spikes"]
        msg = f"fired: {n} spike{'s' if n > 1 else ''}"
    elif s["synaptic_delay_ms"] is None:  # blocked, or under the 0.1-mV onset criterion
        msg = f"no EPSP (V rises by {s['epsp_amplitude_mV']:.2f} mV)"
    else:
        rest, k = s["postsynaptic_rest_mV"], int(v.argmax())
        ax.annotate("", xy=(t[k], v[k]), xytext=(t[k], rest), arrowprops=dict(arrowstyle="<->", lw=0.8))
        ax.text(t[k], (v[k] + rest) / 2, f" {s['epsp_amplitude_mV']:.1f} mV", fontsize=9, va="center")
        msg = f"EPSP {s['epsp_amplitude_mV']:.1f} mV: below threshold, no spike"
    ax.text(0.98, 0.72, msg, transform=ax.transAxes, ha="right", va="top", fontsize=9, fontweight="bold")
