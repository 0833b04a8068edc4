"""Figure for a whole cell: the morphology coloured by peak voltage, and V at the soma and far away."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from excitable.experiments.common.figures import CYCLE, new_figure


def plot_morphology(res, comp):
    from matplotlib.collections import LineCollection

    peaks = np.asarray(res.meta["peak_map"])
    fig, ax = new_figure(1, 2, height=4.5, width=12.0, gridspec_kw={"width_ratios": [1.2, 1]})
    a0, a1 = ax[0]
    segs, colors, widths = [], [], []
    for k in range(1, comp.n):
        p = comp.parent[k]
        segs.append([comp.xyz_um[p, :2], comp.xyz_um[k, :2]])
        colors.append(peaks[k])
        widths.append(np.clip(comp.diam_um[k] * 0.6, 0.5, 6.0))
    if not segs:  # a single compartment: draw it as a dot
        a0.scatter(*comp.xyz_um[0, :2], c=[peaks[0]], cmap="cividis", s=200)
    else:
        lc = LineCollection(segs, array=np.asarray(colors), cmap="cividis", linewidths=widths)
        a0.add_collection(lc)
        fig.colorbar(lc, ax=a0, label="peak V (mV)")
    a0.scatter(*comp.xyz_um[0, :2], s=60, facecolor="none", edgecolor="k", label="soma (stimulus)")
    a0.autoscale()
    a0.set_aspect("equal")
    a0.set_xlabel("x (um)")
    a0.set_ylabel("y (um)")
    s = res.summary
    a0.set_title(f"{Path(s['swc']).name}: {s['n_compartments']} compartments, {s['channels']}", fontsize=10)
    a0.legend(frameon=False, fontsize=8, loc="lower right")
    for i, (label, y) in enumerate(res.traces.items()):
        if np.ndim(y) == 1:
            a1.plot(res.t, y, color=CYCLE[i % len(CYCLE)], lw=1.0, label="soma" if label == "v" else label)
    a1.set_xlabel("time (ms)")
    a1.set_ylabel("V (mV)")
    a1.set_title(f"soma: {s['n_spikes']} spikes; farthest sites", fontsize=10)
    a1.legend(frameon=False, fontsize=8)
    return fig
