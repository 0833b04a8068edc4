"""The calcium-release figure: the terminal's spike, Ca2+ current, [Ca2+]i and release for several external
Ca2+ concentrations (left), the EPSPs (right, top) and release against [Ca2+]o on log-log axes (right,
bottom), where the slope is the sensor's cooperativity."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, OKABE_ITO, grid_figure, note, style_axes

SHOWN = (0.5, 1.0, 2.0)  # the concentrations drawn as traces (mM), beside the Cd2+-blocked terminal
BLOCKED = "Cd2+ blocked"
WINDOW_MS = (1.5, 9.0)


def _shade(x: float) -> str:
    """From sky blue (low [Ca2+]o) to dark blue (high)."""
    import matplotlib.colors as mc

    a, b = np.array(mc.to_rgb(OKABE_ITO["sky"])), np.array(mc.to_rgb("#08306b"))
    return mc.to_hex(a + (b - a) * x)


def _tags(s):
    conc = [c for c in SHOWN if c in s["cao_mM"]]
    if s["cao_control_mM"] not in conc:
        conc.append(s["cao_control_mM"])
    conc.sort()
    colors = [_shade(k / max(len(conc) - 1, 1)) for k in range(len(conc))]
    return [(f"{c:g} mM", f"[Ca2+]o {c:g} mM", col) for c, col in zip(conc, colors)] + \
        [(BLOCKED, f"{s['cao_control_mM']:g} mM, Cd2+ blocked", GREY)]


def plot_calcium_release(res):
    """Left: terminal V, I_Ca, [Ca2+]i, release rate; right: EPSPs and the log-log plot."""
    t, tr, s = res.t, res.traces, res.summary
    fig, gs = grid_figure(11.0, 8.0, 4, 2)
    left = [style_axes(fig.add_subplot(gs[r, 0])) for r in range(4)]
    a_epsp = style_axes(fig.add_subplot(gs[0:2, 1]))
    a_log = style_axes(fig.add_subplot(gs[2:4, 1]))
    sel = (t >= WINDOW_MS[0]) & (t <= WINDOW_MS[1])
    rows = (("v terminal", "terminal V (mV)"), ("ica", "Ca2+ current\n(µA/cm², inward < 0)"),
            ("cai", "[Ca2+]i under the\nmembrane (µM)"), ("release rate", "release\n(vesicles/ms)"))
    for a, (key, label) in zip(left, rows):
        for tag, text, color in _tags(s):
            a.plot(t[sel], tr[f"{key} {tag}"][sel], color=color, lw=1.5 if tag != BLOCKED else 1.2,
                   ls="-" if tag != BLOCKED else "--", label=text)
        a.set_ylabel(label, fontsize=8)
        a.set_xlim(*WINDOW_MS)
    left[0].set_title("(a) At the terminal: spike -> Ca2+ entry -> [Ca2+]i -> release", fontsize=9)
    left[0].legend(fontsize=7, loc="upper right", frameon=False)
    left[2].plot([], [])
    left[-1].set_xlabel("time (ms)")
    for tag, text, color in _tags(s):
        a_epsp.plot(t, tr[f"v post {tag}"], color=color, lw=1.5, ls="-" if tag != BLOCKED else "--", label=text)
    a_epsp.set_ylabel("postsynaptic V (mV)")
    a_epsp.set_xlabel("time (ms)")
    a_epsp.set_title("(b) The EPSP follows the release", fontsize=9)
    a_epsp.legend(fontsize=7, loc="center right", frameon=False)
    conc, m = np.asarray(s["cao_mM"]), np.asarray(s["quantal_content"])
    a_log.loglog(conc, m, "o-", color=COLORS["v"], ms=4, label="vesicles released per spike")
    ref = m[0] * (conc / conc[0]) ** 4
    a_log.loglog(conc, ref, color=GREY, lw=0.9, ls="--", label="slope 4 (Dodge & Rahamimoff 1967)")
    a_log.set_ylim(m[0] / 3, max(m) * 3)
    a_log.set_xticks([c for c in (0.25, 0.5, 1.0, 2.0, 4.0) if conc[0] <= c <= conc[-1]])
    a_log.xaxis.set_major_formatter("{x:g}")
    a_log.xaxis.set_minor_formatter("")
    a_log.set_xlabel("external Ca2+ [Ca2+]o (mM)")
    a_log.set_ylabel("vesicles released per spike")
    a_log.set_title(f"(c) Release grows as [Ca2+]o^{s['log_log_slope']:.1f} at low Ca2+", fontsize=9)
    a_log.legend(fontsize=7, loc="lower right", frameon=False)
    note(a_log, f"slope {s['log_log_slope']:.2f} over {conc[0]:g}-{conc[2]:g} mM\n"
                f"the sensor binds {res.meta['cooperativity']:g} Ca2+; it saturates above\n"
                f"{res.meta['k_d']:g} µM [Ca2+]i, and all {res.meta['n_sites']} sites can only empty once")
    ratio = s["release_ratio_half_ca"]
    half = "" if ratio is None else f"halving [Ca2+]o cuts release {ratio:.0f}-fold; "
    fig.suptitle(f"No Ca2+ entry, no release: {half}blocking the Ca2+ channels (Cd2+) abolishes the EPSP",
                 fontsize=10)
    return fig
