"""The electrical-synapse figure: a gap-junction pair (top) beside a chemical pair (bottom), each for a
spike in cell 1, a hyperpolarizing step into cell 1, and the same step into cell 2 (columns)."""

from __future__ import annotations

from excitable.experiments.common.figures import EXCITATORY, GREY, INHIBITORY, OKABE_ITO, new_figure, note

CELL1, CELL2 = OKABE_ITO["sky"], OKABE_ITO["black"]
COLUMNS = (("spike", "A spike in cell 1"), ("step", "Hyperpolarizing step into cell 1"),
           ("reverse", "The same step into cell 2"))
SPIKE_WINDOW_MS = (3.0, 25.0)
RIGHT = dict(x=0.98, y=0.95, ha="right")  # notes in the top right corner, where the traces are not


def _pair(ax1, ax2, t, tr, kind, protocol, sel, inject):
    ax1.plot(t[sel], tr[f"v_{kind}_{protocol}_1"][sel], color=CELL1, lw=1.6,
             label="cell 1" + (" (current injected)" if inject == 1 else ""))
    color = EXCITATORY if (kind == "chem" and protocol == "spike") else CELL2
    ax2.plot(t[sel], tr[f"v_{kind}_{protocol}_2"][sel], color=color, lw=1.6,
             label="cell 2" + (" (current injected)" if inject == 2 else "") + (": EPSP (AMPA)" if color is
                                                                                 EXCITATORY else ""))


def plot_electrical_synapse(res):
    """Rows: gap pair cell 1, cell 2; chemical pair cell 1, cell 2. Columns: spike, step, reverse step."""
    t, tr, s = res.t, res.traces, res.summary
    fig, ax = new_figure(4, 3, height=1.55, width=11.0)
    spike = (t >= SPIKE_WINDOW_MS[0]) & (t <= SPIKE_WINDOW_MS[1])
    whole = t >= 0
    for col, (protocol, title) in enumerate(COLUMNS):
        sel = spike if protocol == "spike" else whole
        inject = 2 if protocol == "reverse" else 1
        _pair(ax[0, col], ax[1, col], t, tr, "gap", protocol, sel, inject)
        _pair(ax[2, col], ax[3, col], t, tr, "chem", protocol, sel, inject)
        ax[0, col].set_title(title, fontsize=9, fontweight="bold")
        ax[3, col].set_xlabel("time (ms)")
        for a in ax[:, col]:
            a.set_xlim(t[sel][0], t[sel][-1])
            a.tick_params(labelsize=7)
    ax[3, 0].plot(t[spike], tr["v_inh_spike_2"][spike], color=INHIBITORY, lw=1.6,
                  label="cell 2: IPSP (GABA_A)")
    for row, label in enumerate(("gap junction\ncell 1 V (mV)", "gap junction\ncell 2 V (mV)",
                                 "chemical synapse\ncell 1 V (mV)", "chemical synapse\ncell 2 V (mV)")):
        ax[row, 0].set_ylabel(label, fontsize=8)
    for a in (ax[1, 0], ax[3, 0]):  # headroom for the note above the small responses
        lo, hi = a.get_ylim()
        a.set_ylim(lo, hi + 0.9 * (hi - lo))
    for a in ax.flat:
        a.legend(loc="lower right", fontsize=6.5, frameon=False)
    delay_gap, delay_chem = s["gap_latency_ms"], s["chemical_latency_ms"]
    note(ax[1, 0], f"spikelet {s['gap_spikelet_mV']:.1f} mV, starts {_ms(s['gap_lag_ms'])} after cell 1\n"
                   f"starts ({_ms(delay_gap)} from its spike at 0 mV)", **RIGHT)
    note(ax[3, 0], f"starts {_ms(delay_chem)} after\ncell 1 crosses 0 mV", **RIGHT)
    note(ax[1, 1], f"follows: coupling {s['coupling_coefficient']:.2f}\n"
                   f"(g_c/(g_c+G2) = {s['coupling_closed_form']:.2f})", **RIGHT)
    note(ax[0, 2], f"current flows back: coupling {s['reverse_coupling_coefficient']:.2f}", **RIGHT)
    note(ax[3, 1], f"no spike, no release: {s['chemical_step_post_mV']:+.2f} mV", **RIGHT)
    note(ax[2, 2], f"one way: {s['chemical_reverse_pre_mV']:+.2f} mV reaches cell 1", **RIGHT)
    for a in ax[2:, :].flat:
        a.axhline(tr["v_chem_step_2"][0], color=GREY, lw=0.5, ls=":")
    fig.suptitle(f"A gap junction is instant, two-way and passes any sign ({s['gap_junction_nS']:g} nS); "
                 "a chemical synapse is delayed, one-way, and its receptor sets the sign", fontsize=10)
    return fig


def _ms(x) -> str:
    return "never" if x is None else f"{x:+.2f} ms"
