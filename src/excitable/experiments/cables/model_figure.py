"""Figure for a published model: V at the soma with each spike marked, the spike times as a raster
above it and the current step below, on one time axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, grid_figure, legend_outside, style_axes


def plot_model(res):
    s, m = res.summary, res.meta
    fig, gs = grid_figure(9.5, 5.2, 3, 1, height_ratios=[0.5, 3.0, 0.8], hspace=0.08)
    raster = style_axes(fig.add_subplot(gs[0]))
    ax = style_axes(fig.add_subplot(gs[1], sharex=raster))
    stim = style_axes(fig.add_subplot(gs[2], sharex=raster))
    t, v = np.asarray(res.t), np.asarray(res["v"])
    spikes = np.asarray(s["spike_times_ms"])
    ax.plot(t, v, color=COLORS["v"], lw=1.2, label="V at the soma")
    at = s.get("spike_threshold_mV", 0.0)  # NEURON's APCount default, -20 mV (model.SPIKE_THRESHOLD_MV)
    ax.axhline(at, color=GREY, lw=0.8, ls="--", label=f"{at:g} mV: a spike counts\nwhen V crosses it upward")
    if len(spikes):
        raster.eventplot(spikes, colors=COLORS["v"], lineoffsets=0.5, linelengths=0.8)
        ax.plot(spikes, np.full_like(spikes, at), "v", color=COLORS["stimulus"], ms=5, label="spike")
    raster.set_yticks([])
    raster.set_ylim(0, 1)
    raster.set_ylabel("spikes", rotation=0, ha="right", va="center")
    raster.tick_params(labelbottom=False)
    ax.tick_params(labelbottom=False)
    ax.set_ylabel("V (mV)")
    legend_outside(ax, fontsize=8)
    step = np.where((t >= m["delay"]) & (t < m["delay"] + m["duration"]), m["amplitude_nA"], 0.0)
    stim.plot(t, step, color=COLORS["stimulus"], lw=1.2)
    stim.set_ylabel("step\n(nA)")
    stim.set_xlabel("time (ms)")
    n = s["n_spikes"]
    told = f"{n} spike{'' if n == 1 else 's'} during the step"
    if len(spikes) > n:  # the raster shows every spike: say why it holds more (a rebound after the step)
        told += f" ({len(spikes) - n} more outside it)"
    if n:
        told += f", the first at {s['first_spike_ms']:.1f} ms, {s['rate_hz']:.0f} Hz"
    raster.set_title(f"{told}\n{Path(s['swc']).name}, {s['n_compartments']} compartments: "
                     f"{', '.join(s['mechanisms'])}", fontsize=10)
    return fig
