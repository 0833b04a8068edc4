"""Figure for a whole cell: the tree coloured by how much each point was depolarized (log scale),
that depolarization against path distance from the soma, and V at the input, midway and the soma."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, VOLTAGE_CMAP, grid_figure, legend_outside,
                                                  style_axes)

#: Traces in the figure: (label in res.traces, legend, colour): the farthest tip in the stimulus
#: colour, the soma black (V), midway between them grey.
TRACES = (("v@tip", "farthest tip", COLORS["stimulus"]), ("v@midway", "midway", GREY), ("v", "soma", COLORS["v"]))


def _floor(dep: np.ndarray) -> float:
    """The lowest depolarization the log colour scale shows (mV): 1/1000 of the largest, so that a
    response a thousand times smaller than the input is still coloured, not clipped to nothing."""
    return max(float(dep.max()) * 1e-3, 1e-4)


def _tree(fig, ax, res, comp, dep):
    """The cell seen from above, each segment coloured by its depolarization (log colour scale)."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import LogNorm

    norm = LogNorm(_floor(dep), max(float(dep.max()), 2 * _floor(dep)))
    segs = [[comp.xyz_um[comp.parent[k], :2], comp.xyz_um[k, :2]] for k in range(1, comp.n)]
    widths = np.clip(comp.diam_um[1:] * 0.8, 0.6, 6.0)
    lc = LineCollection(segs, array=np.clip(dep[1:], norm.vmin, None), cmap=VOLTAGE_CMAP, norm=norm,
                        linewidths=widths)
    ax.add_collection(lc)
    fig.colorbar(lc, ax=ax, label="peak depolarization above rest (mV, log scale)", pad=0.01, shrink=0.6,
                 aspect=30)
    soma, source = res.meta["soma_node"], res.meta["input_node"]
    ax.scatter(*comp.xyz_um[soma, :2], s=90, facecolor="none", edgecolor="k", lw=1.5, label="soma", zorder=3)
    ax.scatter(*comp.xyz_um[source, :2], s=140, marker="*", color=COLORS["stimulus"], edgecolor="k",
               lw=0.6, label="current enters", zorder=4)
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.legend(loc="lower right", frameon=False)  # the lower right of a pyramidal cell is empty
    s = res.summary
    ax.set_title(f"{Path(s['swc']).name}: {s['n_compartments']} compartments, {s['channels']}")


def _profile(ax, res, comp, dep):
    """Depolarization against path distance from the soma: every node grey, the input's path drawn."""
    d = comp.distance_um
    membrane = comp.area_um2 > 0
    ax.scatter(d[membrane], np.maximum(dep[membrane], _floor(dep)), s=5, color=GREY, label="every point")
    path = res.meta["path_nodes"]
    ax.plot(d[path], np.maximum(dep[path], _floor(dep)), color=COLORS["stimulus"], lw=2,
            label="path from the tip to the soma")
    ax.set_yscale("log")
    ax.set_xlabel("path distance from the soma (µm)")
    ax.set_ylabel("peak depolarization (mV)")
    s = res.summary
    if s["soma_fraction_percent"] is not None:
        ax.set_title(f"{s['soma_fraction_percent']:.1f} % of the input's "
                     f"{s['input_depolarization_mV']:.1f} mV reaches the soma")
    else:
        ax.set_title(f"from the soma ({s['soma_depolarization_mV']:.1f} mV) to the farthest tip "
                     f"({s['tip_depolarization_mV']:.1f} mV)")
    ax.legend(loc="upper left", frameon=False)  # the proximal responses are small: that corner is empty


def plot_morphology(res, comp):
    dep = np.asarray(res.meta["depolarization_map"])
    fig, gs = grid_figure(12.0, 8.0, 2, 2, width_ratios=[1.15, 1], height_ratios=[1.1, 1])
    tree = style_axes(fig.add_subplot(gs[:, 0]))
    _tree(fig, tree, res, comp, dep)
    _profile(style_axes(fig.add_subplot(gs[0, 1])), res, comp, dep)
    ax = style_axes(fig.add_subplot(gs[1, 1]))
    for label, name, color in TRACES:
        if label in res.traces:
            ax.plot(res.t, res.traces[label], color=color, lw=1.3, label=name)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("V (mV)")
    s = res.summary
    ax.set_title(f"soma: {s['n_spikes']} spikes" if s["n_spikes"] else
                 f"the tip rises {s['tip_depolarization_mV']:.1f} mV, the soma {s['soma_depolarization_mV']:.2f} mV")
    legend_outside(ax)
    return fig
