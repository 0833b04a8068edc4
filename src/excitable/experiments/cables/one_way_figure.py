"""The one-way figure: space-time maps and snapshots of V, h and n along the axon, stimulated in the
middle and at both ends (collision).
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (CAPTION, COLORS, GREY, VOLTAGE_CMAP, new_figure, voltage_colorbar,
                                                  voltage_norm)


def plot_one_way(res):
    """Space-time plots of both protocols and snapshots of V, h, n along the axon."""
    s, m = res.summary, res.meta
    t = res.t
    x_mm = np.asarray(m["positions_um"]) / 1000
    V, H, N = m["V"], m["h"], m["n"]
    fig, ax = new_figure(4, 1, height=3.3, width=8.0)  # stacked: readable at phone width
    a0, a1, a2, a3 = ax[:, 0]
    _spacetime(a0, fig, t, x_mm, V[0], "(a) Stimulus in the middle: two spikes leave, none comes back")
    a0.plot(m["delay_ms"], m["x_stim_um"] / 1000, ">", color=COLORS["stim"], ms=9)
    a0.text(m["delay_ms"] + 0.6, m["x_stim_um"] / 1000, "stimulus", color="w", fontsize=9,
            va="center")
    a0.text(0.98, 0.03, f"{s['middle_velocity_right_m_s']:.1f} m/s each way; spikes per site: "
            f"{s['middle_spikes_min_max'][0]}-{s['middle_spikes_min_max'][1]}",
            transform=a0.transAxes, ha="right", color="w", fontsize=9)
    lag = m["end_delay_ms"]
    when = "" if lag == 0 else f" (right {abs(lag):g} ms {'later' if lag > 0 else 'earlier'})"
    _spacetime(a1, fig, t, x_mm, V[1], f"(b) Stimuli at both ends{when}: the spikes collide and annihilate")
    a1.plot(s["collision_time_ms"], s["collision_position_um"] / 1000, "o", mfc="none", mec="w", ms=12)
    for xe, de in ((x_mm[0], 0.0), (x_mm[-1], m["end_delay_ms"])):
        a1.plot(m["delay_ms"] + max(de, 0.0) + max(-m["end_delay_ms"], 0.0) * (xe == x_mm[0]), xe, ">",
                color=COLORS["stim"], ms=9, clip_on=False)
    a1.annotate(f"collision at {s['collision_position_um'] / 1000:.1f} mm:\nnothing continues",
                (s["collision_time_ms"], s["collision_position_um"] / 1000), xytext=(25, 12),
                textcoords="offset points", color="w", fontsize=9)
    a1.text(0.98, 0.03, f"spikes per site: {s['collision_spikes_min_max'][0]}-{s['collision_spikes_min_max'][1]}",
            transform=a1.transAxes, ha="right", color="w", fontsize=9)

    # Snapshots: (a) when the spikes are 60 % of the way to the ends; (b) just before the collision.
    ta = np.asarray(s["middle_arrival_times_ms"], dtype=float)
    x_um = np.asarray(m["positions_um"])
    target = m["x_stim_um"] + 0.6 * (x_um[-1] - m["x_stim_um"])
    k1 = int(np.argmin(np.abs(t - np.interp(target, x_um[x_um >= m["x_stim_um"]],
                                            ta[x_um >= m["x_stim_um"]]))))
    t_pre = s["collision_time_ms"] - 0.25 * (s["collision_time_ms"] - min(s["collision_arrival_times_ms"]))
    k2 = int(np.argmin(np.abs(t - t_pre)))
    for axx, k, panel in ((a0, k1, "c"), (a1, k2, "d")):
        axx.axvline(t[k], color="w", ls="--", lw=0.8)
        axx.text(t[k], 0.98, f" snapshot ({panel})", transform=axx.get_xaxis_transform(), color="w",
                 fontsize=9, va="top")
    later = max(1, int(round(0.3 / (t[1] - t[0]))))  # 0.3 ms later: which way each spike moves
    _snapshot(a2, x_mm, V[0, k1], V[0, min(k1 + later, len(t) - 1)], H[0, k1], N[0, k1], m["h_rest"],
              f"(c) Snapshot of (a) at t = {t[k1]:.1f} ms: behind each spike h is low, n is high")
    _snapshot(a3, x_mm, V[1, k2], V[1, min(k2 + later, len(t) - 1)], H[1, k2], N[1, k2], m["h_rest"],
              f"(d) Snapshot of (b) at t = {t[k2]:.1f} ms: only the middle is still excitable")
    fig.suptitle(f"One way only: the membrane a spike leaves behind is refractory\n(HH squid axon, d = "
                 f"{s['diameter_um']:g} µm, {s['length_um'] / 1e4:g} cm, {s['temperature_degC']:g} °C)", fontsize=11)
    fig.text(0.01, -0.01,
             "Why: the peak of the spike drives current along the core in both directions. Ahead, the membrane is "
             "at rest (Na+ channels ready, h high), reaches threshold and fires. Behind, the membrane has just fired: "
             "its Na+ channels are inactivated (h low) and its K+ channels still open (n high), so it is refractory "
             "and cannot fire again. Hence a spike never turns back, and two spikes that meet each run into refractory "
             "membrane and die.", **CAPTION)
    return fig


def _spacetime(ax, fig, t, x_mm, V, title):
    im = ax.imshow(V.T, aspect="auto", origin="lower", cmap=VOLTAGE_CMAP, norm=voltage_norm(),
                   extent=[t[0], t[-1], x_mm[0], x_mm[-1]], interpolation="nearest")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("position along the axon (mm)")
    ax.set_title(title, fontsize=10)
    voltage_colorbar(fig, im, ax)


def _snapshot(ax, x_mm, v, v_later, h, n, h_rest, title):
    ax.plot(x_mm, v, color="k", lw=1.8, label="V")
    for a, b in _runs(v > 0):  # each spike (V > 0 mV): an arrow in the direction it moves
        k = a + int(np.argmax(v[a:b]))
        lo, hi = max(0, k - len(v) // 10), min(len(v), k + len(v) // 10 + 1)
        k_later = lo + int(np.argmax(v_later[lo:hi]))  # the same spike a moment later
        step = np.sign(x_mm[k_later] - x_mm[k]) * 0.08 * (x_mm[-1] - x_mm[0])
        if step:
            ax.annotate("", (x_mm[k] + step, v[k] + 12), xytext=(x_mm[k], v[k] + 12),
                        arrowprops=dict(arrowstyle="-|>", color="k", lw=1.2))
    ax.set_ylabel("V (mV)")
    ax.set_ylim(-90, 105)
    ax.set_yticks([-80, -40, 0, 40])
    ax.set_xlabel("position along the axon (mm)")
    g = ax.twinx()
    g.plot(x_mm, h, color=COLORS["na"], lw=1.5, ls="--", label="h (Na+ inactivation gate, 1 = ready)")
    g.plot(x_mm, n, color=COLORS["k"], lw=1.5, label="n (K+ activation gate)")
    g.set_ylim(0, 1.45)
    g.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    g.set_ylabel("gate (0-1)")
    g.spines["top"].set_visible(False)
    for a, b in _runs(h < 0.5 * h_rest):
        ax.axvspan(x_mm[a], x_mm[b - 1], color=GREY, alpha=0.2, lw=0)
    ax.plot([], [], color=GREY, alpha=0.4, lw=6, label="refractory: h < half its resting value")
    lines = ax.get_legend_handles_labels()
    more = g.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], frameon=False, fontsize=9, loc="upper center",
              ncol=2)
    ax.set_title(title, fontsize=10)


def _runs(mask) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], np.asarray(mask, int), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))
