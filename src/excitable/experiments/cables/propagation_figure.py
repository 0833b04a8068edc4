"""Figures for propagation: a space-time plot of V along the axon, traces, and arrival times."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import CYCLE, OKABE_ITO, new_figure


def plot_propagation(res):
    s = res.summary
    x = np.asarray(res.meta["positions_um"])
    labels = [k for k in res.traces if k.startswith("v@")]
    V = np.stack([res[k] for k in labels], axis=1)
    fig, ax = new_figure(1, 3, height=3.6, width=13.0)
    a0, a1, a2 = ax[0]
    im = a0.imshow(V.T, aspect="auto", origin="lower", cmap="cividis",
                   extent=[res.t[0], res.t[-1], x[0] / 1000, x[-1] / 1000])
    a0.set_xlabel("time (ms)")
    a0.set_ylabel("position along the axon (mm)")
    a0.set_title("V(x, t): the spike is a diagonal stripe", fontsize=10)
    fig.colorbar(im, ax=a0, label="V (mV)")
    for i, k in enumerate(np.linspace(0, len(labels) - 1, 5).astype(int)):
        a1.plot(res.t, V[:, k], color=CYCLE[i], label=f"x = {x[k] / 1000:.2f} mm")
    a1.set_xlabel("time (ms)")
    a1.set_ylabel("V (mV)")
    a1.set_title("The same spike arrives later farther away", fontsize=10)
    a1.legend(frameon=False, fontsize=8)
    ta = np.asarray(s["arrival_times_ms"], dtype=float)
    L = s["length_um"]
    mid = (x >= 0.25 * L) & (x <= 0.75 * L)
    a2.plot(x / 1000, ta, "o", color=OKABE_ITO["blue"], ms=4, label="arrival (0 mV crossing)")
    a2.axvspan(0.25 * L / 1000, 0.75 * L / 1000, color=OKABE_ITO["sky"], alpha=0.15, lw=0,
               label="fit window (25-75 %)")
    if np.isfinite(ta[mid]).sum() >= 2:
        slope, icpt = np.polyfit(x[mid], ta[mid], 1)
        a2.plot(x / 1000, slope * x + icpt, color=OKABE_ITO["vermillion"], lw=1,
                label=f"velocity {s['velocity_m_s']:.2f} m/s")
    a2.set_xlabel("position (mm)")
    a2.set_ylabel("arrival time (ms)")
    a2.set_title(f"{s['preset']}: d = {s['diameter_um']:g} um, {s['temperature_degC']:g} degC", fontsize=10)
    a2.legend(frameon=False, fontsize=8)
    return fig
