"""The synapse-speed figure: a chain of neurons against one long axon, and where the time goes."""

from __future__ import annotations

from excitable.experiments.common.figures import OKABE_ITO, new_figure


def plot_synapse_speed(res):
    """Arrival time along the chain vs along one axon, and where the chain's time goes."""
    s, tr = res.summary, res.traces
    fig, ax = new_figure(1, 2, height=3.6, width=12.0)
    a_t, a_b = ax[0]
    t = res.t
    n = s["n_neurons"]
    for k in range(n):
        alpha = 0.4 + 0.6 * k / max(1, n - 1)
        a_t.plot(t, tr[f"chain soma {k} V (mV)"], lw=1.0, color=OKABE_ITO["blue"], alpha=alpha)
        a_t.plot(t, tr[f"chain terminal {k} V (mV)"], lw=0.8, ls="--", color=OKABE_ITO["blue"], alpha=alpha)
    a_t.plot(t, tr["axon end V (mV)"], lw=1.6, color=OKABE_ITO["vermillion"], label="one continuous axon: far end")
    a_t.plot([], [], color=OKABE_ITO["blue"], label="chain: somata (solid), terminals (dashed)")
    a_t.set_xlim(0, max(s["spike_times_ms"]["terminal"][-1], s["axon_latency_ms"]) + 6.0)
    a_t.set_xlabel("time (ms)")
    a_t.set_ylabel("V (mV)")
    a_t.set_title(f"{n} neurons x {s['axon_length_um'] / 1000:g} mm vs one {s['total_length_mm']:g}-mm axon: "
                  f"{s['chain_latency_ms']:.2f} vs {s['axon_latency_ms']:.2f} ms", fontsize=9)
    a_t.legend(loc="upper right", fontsize=7, frameon=False)
    parts = [("conduction in axons", s["chain_conduction_ms"], OKABE_ITO["vermillion"]),
             ("synaptic delay (release + transmitter)", s["chain_synaptic_delay_ms"], OKABE_ITO["orange"]),
             ("EPSP to threshold + soma", s["chain_integration_ms"], OKABE_ITO["green"])]
    left = 0.0
    for label, width, color in parts:
        a_b.barh(1, width, left=left, color=color, label=f"{label}: {width:.2f} ms")
        left += width
    a_b.barh(0, s["axon_latency_ms"], color=OKABE_ITO["vermillion"])
    a_b.set_yticks([0, 1], [f"one axon\n({s['conduction_velocity_m_s']:.2f} m/s)", f"chain of {n}"])
    a_b.set_xlabel("time from the first spike to the last arrival (ms)")
    a_b.set_title(f"Each synapse costs {s['per_synapse_ms']:.2f} ms, as much as "
                  f"{s['axon_equivalent_mm_per_synapse']:.1f} mm of this axon", fontsize=9)
    a_b.set_ylim(-0.6, 2.2)
    a_b.legend(loc="upper left", fontsize=7, frameon=False, ncol=2)
    a_b.spines["left"].set_visible(False)
    return fig
