"""The epilepsy figure: rasters and population rates of the baseline and the depolarized network."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import OKABE_ITO, new_figure

EXC_COLOR = OKABE_ITO["blue"]
INH_COLOR = OKABE_ITO["vermillion"]


def plot_epilepsy(res):
    """Two columns (baseline, depolarized): raster, population rates, example membrane potentials."""
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
            a_r.plot(t, row + cells[0], "|", ms=1.6, mew=0.6, color=color)
        for a, b, _ in run["_bursts"]:
            a_r.axvspan(a, b, color=OKABE_ITO["yellow"], alpha=0.25, lw=0)
        rest = r["rest_mV"]
        rest_txt = f"E rest {rest:.1f} mV" if rest is not None else \
            f"E leak reversal {r['e_leak_mV']:.1f} mV (no stable rest)"
        a_r.set_title(f"{name}: {rest_txt}\nE {r['rate_hz']:.1f} Hz, I {r['rate_inh_hz']:.1f} Hz, "
                      f"synchrony chi = {r['synchrony']:.2f}, {r['n_bursts']} population bursts",
                      fontsize=9)
        a_r.set_ylim(-2, n_e + n_i + 2)
        a_r.axhline(n_e - 0.5, color="0.6", lw=0.5)
        a_p.plot(run["_t_bins"], run["_rate"], color=EXC_COLOR, lw=1.0, label="excitatory")
        a_p.plot(run["_t_bins"], run["_rate_inh"], color=INH_COLOR, lw=0.8, alpha=0.8, label="inhibitory")
        top = max(top, float(np.max(run["_rate"])), float(np.max(run["_rate_inh"])))
        t = run["_t"]
        for k, (label, color) in enumerate((("E cell 0", EXC_COLOR), ("E cell 1", OKABE_ITO["sky"]),
                                            (f"I cell {n_e}", INH_COLOR))):
            a_v.plot(t, run["_v_examples"][:, k], lw=0.6, color=color, label=label)
        a_v.set_xlabel("time (ms)")
        for a in (a_r, a_p, a_v):
            a.axvspan(0, meta["transient"], color="0.85", alpha=0.5, lw=0)
        a_p.text(meta["transient"] / 2, 0.95, "not\nmeasured", transform=a_p.get_xaxis_transform(),
                 ha="center", va="top", fontsize=7, color="0.4")
    for a in ax[1]:
        a.set_ylim(0, top * 1.05 + 1)
    ax[0, 0].set_ylabel(f"cell\n(E 0-{n_e - 1}, I above)")
    ax[1, 0].set_ylabel("population\nrate (Hz)")
    ax[2, 0].set_ylabel("V (mV)")
    ax[1, 1].legend(loc="upper right", fontsize=7, frameon=False)
    ax[2, 0].legend(loc="upper right", fontsize=7, frameon=True, framealpha=0.9, ncol=3)
    fig.suptitle("Depolarizing the excitatory cells turns sparse, independent firing into recurring, "
                 "synchronous population bursts", fontsize=10)
    return fig
