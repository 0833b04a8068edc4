"""The epilepsy figure: rasters and population rates of the baseline and the depolarized network."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import EXCITATORY, INHIBITORY, OKABE_ITO, new_figure

#: The roles' colours: excitatory cells warm, inhibitory cells cool (figures.ROLE_COLORS).
EXC_COLOR, INH_COLOR = EXCITATORY, INHIBITORY
EXC_LIGHT = "#CC6677"  # a second excitatory cell, lighter


def plot_epilepsy(res):
    """Two columns (baseline, depolarized): raster, population rates, example membrane potentials,
    from the end of the transient (the network's settling from its uniform start is not shown)."""
    from excitable.analysis.network import raster

    s, meta = res.summary, res.meta
    n_e, n_i = meta["n_exc"], meta["n_inh"]
    fig, ax = new_figure(3, 2, height=2.5, width=12.0, sharex=True,
                         gridspec_kw={"height_ratios": [2.2, 1.2, 1.2]})
    top = 0.0
    for col, name in enumerate(("baseline", "depolarized")):
        run, spikes, r = meta["runs"][name], meta["spikes"][name], s[name]
        a_r, a_p, a_v = ax[:, col]
        for cells, color in ((range(n_e), EXC_COLOR), (range(n_e, n_e + n_i), INH_COLOR)):
            t, row = raster(spikes, list(cells))
            shown = t >= meta["transient"]
            a_r.plot(t[shown], row[shown] + cells[0], "|", ms=1.6, mew=0.6, color=color)
        for a, b, _ in run["_bursts"]:
            a_r.axvspan(a, b, color=OKABE_ITO["yellow"], alpha=0.25, lw=0)
        rest = r["rest_mV"]
        rest_txt = f"E rest {rest:.1f} mV" if rest is not None else \
            f"E leak reversal {r['e_leak_mV']:.1f} mV (no stable rest)"
        a_r.set_title(f"{'healthy' if name == 'baseline' else 'depolarized'}: {rest_txt}\n"
                      f"E {r['rate_hz']:.1f} Hz, I {r['rate_inh_hz']:.1f} Hz, synchrony χ = "
                      f"{r['synchrony']:.2f}, {r['n_bursts']} population bursts")
        a_r.set_ylim(-2, n_e + n_i + 2)
        a_r.axhline(n_e - 0.5, color="0.6", lw=0.5)
        a_p.plot(run["_t_bins"], run["_rate"], color=EXC_COLOR, lw=1.0, label="excitatory")
        a_p.plot(run["_t_bins"], run["_rate_inh"], color=INH_COLOR, lw=0.8, alpha=0.8, label="inhibitory")
        top = max(top, float(np.max(run["_rate"])), float(np.max(run["_rate_inh"])))
        t = run["_t"]
        shown = t >= meta["transient"]
        for k, (label, color) in enumerate((("E cell 0", EXC_COLOR), ("E cell 1", EXC_LIGHT),
                                            (f"I cell {n_e}", INH_COLOR))):
            a_v.plot(t[shown], run["_v_examples"][shown, k], lw=0.6, color=color, label=label)
        a_v.set_xlabel("time (ms)")
        a_v.set_xlim(meta["transient"], meta["tstop"])
    for a in ax[1]:
        a.set_ylim(0, top * 1.05 + 1)
    ax[0, 0].set_ylabel(f"cell\n(E 0-{n_e - 1}, I above)")
    ax[1, 0].set_ylabel("population\nrate (Hz)")
    ax[2, 0].set_ylabel("V (mV)")
    ax[1, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax[2, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.suptitle("Depolarizing the excitatory cells turns sparse, independent firing into synchronous "
                 "population bursts")
    return fig
