"""Figures for propagation: a space-time plot of V along the axon, traces, the peak at every site
(all or none: the same away from the ends) and arrival times."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, VOLTAGE_CMAP, legend_outside, new_figure,
                                                  voltage_colorbar, voltage_norm)

#: Sites near to far from the stimulus: black to light grey (colours are kept for ions and roles).
SITE_SHADES = ["0.0", "0.35", "0.6"]


def plot_propagation(res):
    """V(x, t); traces at interior sites and at both ends; peak vs position; arrival vs position."""
    s = res.summary
    x = np.asarray(res.meta["positions_um"])
    labels = [k for k in res.traces if k.startswith("v@")]
    V = np.stack([res[k] for k in labels], axis=1)
    L = s["length_um"]
    fig, ax = new_figure(4, 1, height=3.0, width=8.0)  # stacked: readable at phone width
    a0, a1, a2, a3 = ax[:, 0]
    im = a0.imshow(V.T, aspect="auto", origin="lower", cmap=VOLTAGE_CMAP, norm=voltage_norm(),
                   extent=[res.t[0], res.t[-1], x[0] / 1000, x[-1] / 1000])
    a0.set_xlabel("time (ms)")
    a0.set_ylabel("position along the axon (mm)")
    a0.set_title(f"(a) The spike runs down the axon at {s['velocity_m_s']:.1f} m/s "
                 f"({s['preset']}: d = {s['diameter_um']:g} µm, {s['temperature_degC']:g} °C)", fontsize=10)
    voltage_colorbar(fig, im, a0)

    interior = [int(np.argmin(np.abs(x - f * L))) for f in (0.25, 0.5, 0.75)]
    for i, k in enumerate(interior):
        a1.plot(res.t, V[:, k], color=SITE_SHADES[i], lw=1.8, label=f"x = {x[k] / 1000:.1f} mm")
    a1.plot(res.t, V[:, 0], color=GREY, lw=1.2, ls="--", label="stimulated end")
    a1.plot(res.t, V[:, -1], color=GREY, lw=1.2, ls=":", label="sealed far end")
    a1.set_xlabel("time (ms)")
    a1.set_ylabel("V (mV)")
    a1.set_title("(b) The same spike arrives later farther away", fontsize=10)
    legend_outside(a1)

    peaks = np.asarray(s["peaks_mV"])
    inside = (x >= 0.25 * L) & (x <= 0.75 * L)
    a2.axvspan(0.25 * L / 1000, 0.75 * L / 1000, color=GREY, alpha=0.12, lw=0)
    a2.plot(x[inside] / 1000, peaks[inside], "o", color=COLORS["v"], ms=4,
            label=f"interior:\n{s['interior_peak_mV']:.1f} mV,\nspread {s['interior_peak_spread_mV']:.1f} mV")
    a2.plot(x[~inside] / 1000, peaks[~inside], "o", color=GREY, ms=3.5, label="near the ends")
    a2.axhline(s["interior_peak_mV"], color=COLORS["v"], lw=0.8, ls=":")
    a2.annotate("stimulated end:\nthe pulse adds\nits own current", (x[0] / 1000, peaks[0]),
                xytext=(15, 28), textcoords="offset points", fontsize=9,
                arrowprops=dict(arrowstyle="->", lw=0.6))
    a2.annotate("sealed end: no membrane beyond\nto draw the current, so V rises higher",
                (x[-1] / 1000, peaks[-1]), xytext=(-230, -8), textcoords="offset points", fontsize=9,
                arrowprops=dict(arrowstyle="->", lw=0.6))
    a2.set_ylim(min(peaks.min(), s["interior_peak_mV"] - 10), max(peaks.max(), s["interior_peak_mV"]) + 10)
    a2.set_xlabel("position (mm)")
    a2.set_ylabel("peak V (mV)")
    a2.set_title("(c) All or none: the same peak all along the axon", fontsize=10)
    legend_outside(a2)

    ta = np.asarray(s["arrival_times_ms"], dtype=float)
    a3.plot(x / 1000, ta, "o", color=COLORS["v"], ms=4, label="arrival\n(0 mV crossing)")
    a3.axvspan(0.25 * L / 1000, 0.75 * L / 1000, color=GREY, alpha=0.12, lw=0,
               label="fit window\n(25-75 %)")
    if np.isfinite(ta[inside]).sum() >= 2:
        slope, icpt = np.polyfit(x[inside], ta[inside], 1)
        a3.plot(x / 1000, slope * x + icpt, color=GREY, lw=1.4,
                label=f"velocity\n{s['velocity_m_s']:.2f} m/s")
    a3.set_xlabel("position (mm)")
    a3.set_ylabel("arrival time (ms)")
    a3.set_title("(d) Arrival time grows in proportion to distance: a constant velocity", fontsize=10)
    legend_outside(a3)
    return fig
