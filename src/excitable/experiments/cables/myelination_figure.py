"""Figure for myelination: the spike jumping between nodes, and velocity against fibre diameter."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, GREY, VOLTAGE_CMAP, legend_outside, new_figure,
                                                  voltage_colorbar, voltage_norm)


def _shades(n: int) -> list[str]:
    """Black for the first (nearest or earliest), lighter greys after: order, not a colour of its own."""
    return [str(round(0.65 * i / max(n - 1, 1), 2)) for i in range(n)]


# long because it draws four panels one after the other, each a few labelled lines:
# splitting it would only pass the same axes around.
def plot_myelination(res):
    s, m, t = res.summary, res.meta, res.t
    fig, ax = new_figure(4, 1, height=3.1, width=8.0)  # stacked: readable at phone width
    a_st, a_nodes, a_x, a_v = ax[:, 0]
    x, V, is_node = np.asarray(m["x_fibre_um"]), np.asarray(m["V_fibre"]), np.asarray(m["is_node"])
    ta = np.asarray(m["arrival_fibre_ms"], dtype=float)
    node_x = x[is_node]
    myel = "myelinated" if s["myelin"] else "demyelinated"

    # Space-time plot over the first few internodes: arrival times form a staircase.
    n_show = min(len(node_x), 5)
    x_max = node_x[n_show - 1]
    sel = x <= x_max
    t_hi = np.nanmax(ta[sel]) + 0.08 if np.isfinite(ta[sel]).any() else t[-1]
    keep = t <= t_hi
    im = a_st.pcolormesh(t[keep], x[sel] / 1000.0, V[keep][:, sel].T, cmap=VOLTAGE_CMAP, shading="nearest",
                         norm=voltage_norm(), rasterized=True)
    voltage_colorbar(fig, im, a_st)
    for xn in node_x[:n_show]:
        a_st.axhline(xn / 1000.0, color="w", lw=0.5, ls=":")
    a_st.plot(ta[sel], x[sel] / 1000.0, color="w", lw=1.2, ls="--", label="arrival (-20 mV)")
    a_st.plot(ta[sel & is_node], x[sel & is_node] / 1000.0, "o", color="w", mec="k", ms=5,
              label="a node fires")
    a_st.set_xlabel("time (ms)")
    a_st.set_ylabel("distance along the fibre (mm)")
    a_st.set_title("V(x, t): the spike jumps from node (dotted) to node" if s["conducted"] else
                   f"V(x, t): the spike dies out (reached {s['nodes_reached']} of {s['n_nodes']} nodes)",
                   fontsize=10)
    a_st.legend(loc="lower right", fontsize=9, frameon=False, labelcolor="w")

    # V at successive nodes.
    idx = np.nonzero(is_node)[0]
    picks = idx[:: max(1, len(idx) // 6)][:7]
    for c, j in zip(_shades(len(picks)), picks):
        a_nodes.plot(t, V[:, j], color=c, lw=1.4, label=f"node at {x[j] / 1000:.1f} mm")
    done = np.nanmax(ta) + 0.4 if np.isfinite(ta).any() else t[-1]
    a_nodes.set_xlim(0, min(t[-1], done))
    a_nodes.set_xlabel("time (ms)")
    a_nodes.set_ylabel("V (mV)")
    if s.get("internode_delay_us") is not None:
        a_nodes.set_title(f"V at successive nodes: {s['internode_delay_us']:.0f} µs per internode "
                          f"({s['internode_length_um']:.0f} µm)", fontsize=10)
    else:
        a_nodes.set_title("V at successive nodes: the spike does not get through", fontsize=10)
    legend_outside(a_nodes)

    # Snapshots of V(x): slope changes at the nodes (FitzHugh 1962).
    sel2 = x <= node_x[min(len(node_x), 9) - 1]
    finite = ta[sel2][np.isfinite(ta[sel2])]
    if finite.size:
        times = np.linspace(finite.min() + 0.02, finite.max(), 3)
    else:
        times = np.array([0.1, 0.2, 0.3])
    for c, tk in zip(_shades(len(times)), times):
        k = int(np.argmin(np.abs(t - tk)))
        a_x.plot(x[sel2] / 1000.0, V[k, sel2], color=c, lw=1.4, label=f"t = {t[k] * 1000:.0f} µs")
    for xn in node_x[node_x <= x[sel2].max()]:
        a_x.axvline(xn / 1000.0, color="0.75", lw=0.6, ls=":")
    a_x.set_xlabel("distance along the fibre (mm); dotted: nodes of Ranvier")
    a_x.set_ylabel("V (mV)")
    a_x.set_title("V(x) snapshots: the slope changes abruptly at the nodes (kinks)", fontsize=10)
    legend_outside(a_x)

    # Velocity against fibre diameter.
    D = s["fibre_diameter_um"]
    lo, hi = 4.5, 6.5
    grid = np.linspace(0, max(s.get("sweep_fibre_diameters_um", [D]) + [D]) * 1.1, 50)
    a_v.fill_between(grid, lo * grid, hi * grid, color=GREY, alpha=0.2, lw=0,
                     label="mammals: 4.5-6.5 m/s\nper µm (Hursh 1939)")
    if "sweep_fibre_diameters_um" in s:
        Ds = np.asarray(s["sweep_fibre_diameters_um"])
        vm = np.array([np.nan if v is None else v for v in s["sweep_velocity_myelinated_m_s"]])
        vb = np.array([np.nan if v is None else v for v in s["sweep_velocity_unmyelinated_m_s"]])
        exp_m = s.get("exponent_myelinated")
        a_v.plot(Ds, vm, "o-", color=COLORS["v"],
                 label=f"{myel}: v ~ D^{exp_m:.2f}" if exp_m is not None else myel)
        a_v.plot(Ds, vb, "s--", color=GREY,
                 label=f"unmyelinated\n(axon {s['g_ratio']:g} D)" + (
                     f": v ~ D^{s['exponent_unmyelinated']:.2f}" if "exponent_unmyelinated" in s else ""))
    else:
        if s.get("velocity_myelinated_m_s") is not None:
            a_v.plot([D], [s["velocity_myelinated_m_s"]], "o", color=COLORS["v"], label="myelinated")
        if s.get("velocity_unmyelinated_m_s") is not None:
            a_v.plot([D], [s["velocity_unmyelinated_m_s"]], "s", color=GREY, label="unmyelinated")
    a_v.set_xlabel("fibre diameter D (µm)")
    a_v.set_ylabel("conduction velocity (m/s)")
    ratio = s.get("velocity_ratio")
    if ratio:
        title = f"D = {D:g} µm: myelin makes it {ratio:.1f}x faster"
    elif not s["myelin"]:
        title = f"D = {D:g} µm: without myelin the fibre does not conduct"
    else:
        title = f"D = {D:g} µm: with only {s['lamellae']} lamellae the fibre does not conduct"
    a_v.set_title(title, fontsize=10)
    a_v.set_xlim(0, grid[-1])
    a_v.set_ylim(0, None)
    legend_outside(a_v)
    return fig
