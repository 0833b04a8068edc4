"""The synapse-speed figure: a chain of neurons against one long axon, and where the time goes."""

from __future__ import annotations

from excitable.experiments.common.figures import COLORS, EXCITATORY, GREY, TRANSMITTER, legend_outside, new_figure

# the chain in black (V), the single axon in grey; where the time goes: axons grey, release in the
# transmitter's colour, charging the next cell in the excitatory colour
CHAIN, AXON = COLORS["v"], GREY


def plot_synapse_speed(res):
    """Arrival time along the chain vs along one axon, and where the chain's time goes."""
    s, tr = res.summary, res.traces
    fig, ax = new_figure(2, 1, height=3.4, width=8.0)  # stacked: readable at phone width
    a_t, a_b = ax[:, 0]
    t = res.t
    n = s["n_neurons"]
    for k in range(n):
        alpha = 1.0  # every chain neuron in black: the single axon is the grey one
        a_t.plot(t, tr[f"chain soma {k} V (mV)"], lw=1.2, color=CHAIN, alpha=alpha)
        a_t.plot(t, tr[f"chain terminal {k} V (mV)"], lw=0.9, ls="--", color=CHAIN, alpha=alpha)
    a_t.plot(t, tr["axon end V (mV)"], lw=2.0, color=AXON, label="one continuous axon:\nits far end")
    a_t.plot([], [], color=CHAIN, label="chain: somata (solid),\nterminals (dashed)")
    a_t.set_xlim(0, max(s["spike_times_ms"]["terminal"][-1], s["axon_latency_ms"]) + 6.0)
    a_t.set_xlabel("time (ms)")
    a_t.set_ylabel("V (mV)")
    a_t.set_title(f"Synapses slow the signal: {n} neurons x {s['axon_length_um'] / 1000:g} mm take "
                  f"{s['chain_latency_ms']:.1f} ms, one {s['total_length_mm']:g}-mm axon {s['axon_latency_ms']:.1f} ms",
                  loc="left", fontsize=10)
    legend_outside(a_t)
    parts = [("conduction in axons", s["chain_conduction_ms"], AXON),
             ("synaptic delay\n(release + transmitter)", s["chain_synaptic_delay_ms"], TRANSMITTER),
             ("EPSP to threshold\n+ soma", s["chain_integration_ms"], EXCITATORY)]
    left = 0.0
    for label, width, color in parts:
        a_b.barh(1, width, left=left, color=color, label=f"{label}: {width:.2f} ms")
        left += width
    a_b.barh(0, s["axon_latency_ms"], color=AXON)
    a_b.set_yticks([0, 1], [f"one axon\n({s['conduction_velocity_m_s']:.2f} m/s)", f"chain of {n}"])
    a_b.set_xlabel("time from the first spike to the last arrival (ms)")
    a_b.set_title(f"Each synapse costs {s['per_synapse_ms']:.2f} ms, as much as "
                  f"{s['axon_equivalent_mm_per_synapse']:.1f} mm of this axon", fontsize=10)
    a_b.set_ylim(-0.6, 1.6)
    legend_outside(a_b)
    a_b.spines["left"].set_visible(False)
    return fig
