"""The refractory-period figure: test responses, the threshold's recovery and the h and n gates,
against the time after the conditioning pulse.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import (COLORS, CYCLE, GREY, OKABE_ITO, new_figure, reference_lines,
                                                  stim_strip)


def plot_refractory_period(res):
    """Test responses, threshold recovery curve and the h and n gates, against time after conditioning."""
    s, tr, m = res.summary, res.traces, res.meta
    x = res.t - m["delay"]
    iv = np.asarray(s["intervals_ms"], float)
    ratios = np.array([np.nan if r is None else r for r in s["threshold_ratios"]])
    absolute, relative = s["absolute_refractory_ms"], s["relative_refractory_ms"]
    traced = s.get("traced_intervals", iv.size)  # a longer tail has thresholds but no traces
    fig, ax = new_figure(4, 1, height=1.5, width=11.0, sharex=False,
                         gridspec_kw={"height_ratios": [3.0, 0.9, 2.4, 2.2]})
    a_v, a_s, a_r, a_g = ax[:, 0]
    for a in (a_s, a_g):
        a.sharex(a_v)
    if traced == iv.size:
        a_r.sharex(a_v)
    shown = _pick_intervals(iv[:traced], ratios[:traced], absolute)
    stim = np.zeros_like(x)
    cond_on = (x >= 0) & (x < m["pulse"])
    stim[cond_on] = s["conditioning_uA_cm2"]
    a_v.plot(x, tr["v conditioning only (mV)"], color=COLORS["v"], lw=1.8, label="conditioning spike")
    for col, d in zip(CYCLE, shown):
        k = int(np.argmin(np.abs(iv - d)))
        fired = s["test_thresholds_uA_cm2"][k] is not None
        amp = s["test_thresholds_uA_cm2"][k] if fired else s["cap_uA_cm2"]
        key = f"v test at {iv[k]:g} ms, at threshold (mV)" if fired else \
            f"v test at {iv[k]:g} ms, at the cap, no spike (mV)"
        sel = x >= iv[k] - 0.5
        lab = (f"test at {iv[k]:g} ms: threshold {ratios[k]:.2f}x" if fired
               else f"test at {iv[k]:g} ms: {s['cap_uA_cm2'] / s['control_threshold_uA_cm2']:g}x, no spike")
        a_v.plot(x[sel], tr[key][sel], color=col, lw=1.1, ls="-" if fired else "--", label=lab)
        on = (x >= iv[k]) & (x < iv[k] + m["pulse"])
        a_s.fill_between(x, np.where(on, amp, 0.0), step="pre", color=col, alpha=0.7, lw=0)
    v0 = tr["v conditioning only (mV)"]
    reference_lines(a_v, rest=float(v0[0]), e_na=m.get("e_na"), e_k=m.get("e_k"), x=0.0)
    a_v.set_ylim(min(m.get("e_k", -90.0), float(v0.min())) - 8, max(m.get("e_na", 50.0), float(v0.max())) + 8)
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title = (f"No second spike for {absolute:.3g} ms (Na+ channels inactivated), then a stronger stimulus "
             f"is needed" if absolute is not None else "Refractory period")
    a_v.set_title(f"{title} ({m['model']}, {s['temperature_degC']:g} °C; threshold "
                  f"{s['control_threshold_uA_cm2']:.2f} µA/cm², 1-ms pulses)", fontsize=10, loc="left")
    stim_strip(a_s, x, stim)
    a_s.set_yscale("symlog", linthresh=10)

    for a in (a_v, a_r, a_g):
        if absolute is not None:
            a.axvspan(0, absolute, color=GREY, alpha=0.15, lw=0)
        if relative is not None:
            a.axvspan(absolute or 0, relative, color=OKABE_ITO["orange"], alpha=0.15, lw=0)
    _plot_recovery(a_r, s, iv, ratios, traced)

    h, n = tr["h (Na+ inactivation gate)"], tr["n (K+ activation gate)"]
    a_g.plot(x, h, color=OKABE_ITO["orange"], lw=1.6, label="h: Na+ channels not inactivated")
    a_g.plot(x, n, color=COLORS["k"], lw=1.6, label="n: K+ channels open")
    a_g.axhline(s["h_rest"], color=OKABE_ITO["orange"], lw=0.7, ls=":")
    a_g.axhline(s["n_rest"], color=COLORS["k"], lw=0.7, ls=":")
    d8 = s["interval_gate_check_ms"]
    a_g.annotate(f"at {d8:g} ms: h = {s['h_at_check']:.2f} (rest {s['h_rest']:.2f}),\n"
                 f"n = {s['n_at_check']:.2f} (rest {s['n_rest']:.2f})", (d8, s["h_at_check"]),
                 xytext=(60, 6), textcoords="offset points", fontsize=9,
                 arrowprops=dict(arrowstyle="->", lw=0.6))
    a_g.set_ylabel("gate (0-1)")
    a_g.set_ylim(0, 1)
    a_g.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    a_g.set_xlabel("time after the conditioning pulse = test interval (ms)")
    # HH: to 6 ms past the last test; with a tail, to the traces' end (near threshold the textbook
    # cell's test spikes take off up to ~10 ms after their pulse)
    a_g.set_xlim(-1.5, iv[traced - 1] + 6 if traced == iv.size else float(x[-1]))
    if traced < iv.size:  # the threshold's slow tail: its own log-scaled time axis
        a_r.set_xscale("log")
        a_r.set_xlim(0.8 * iv[0], 1.25 * iv[-1])
        a_r.set_xlabel("test interval (ms, log scale: the threshold's slow recovery)")
    return fig


def _plot_recovery(a_r, s, iv, ratios, traced):
    """The test threshold / control against the interval, with the absolute and relative periods."""
    absolute, relative = s["absolute_refractory_ms"], s["relative_refractory_ms"]
    top = s["cap_uA_cm2"] / s["control_threshold_uA_cm2"]
    ok = np.isfinite(ratios)
    a_r.plot(iv[ok], ratios[ok], "o-", color=OKABE_ITO["vermillion"], ms=3.5, lw=1.2,
             label="test threshold / single-pulse threshold")
    a_r.plot(iv[~ok], np.full((~ok).sum(), top), "v", color=GREY, ms=5, label=f"no spike up to {top:g}x")
    a_r.axhline(1.0, color=GREY, lw=0.8, ls="--")
    a_r.set_yscale("log")
    a_r.set_ylim(0.5, top * 1.6)
    a_r.set_ylabel("threshold\n(× control)")
    if absolute is not None:
        mid = absolute / 2 if traced == iv.size else float(np.sqrt(0.8 * iv[0] * absolute))  # log axis
        a_r.text(mid, 0.55, f"absolute:\nup to {absolute:.3g} ms", ha="center", va="bottom", fontsize=9)
    if relative is not None:
        a_r.text(((absolute or 0) + relative) / 2, 0.55, f"relative: until {relative:.1f} ms", ha="center",
                 va="bottom", fontsize=9, color="0.25")
    if s.get("min_ratio") is not None and s["min_ratio"] < 0.97:
        a_r.annotate(f"supernormal {s['min_ratio']:.2f}x", (s["min_ratio_interval_ms"], s["min_ratio"]),
                     xytext=(0, 8), textcoords="offset points", fontsize=7, ha="center")
    a_r.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _pick_intervals(iv, ratios, absolute):
    """A few intervals to draw: one absolute (no spike), then thresholds falling back to ~1x."""
    out = []
    silent = iv[~np.isfinite(ratios)]
    if silent.size:
        out.append(silent[len(silent) // 2] if absolute is None else silent[silent <= absolute][-1] * 0.7)
    for target in (8.0, 3.0, 1.5, 1.0):
        ok = np.isfinite(ratios) & (iv <= 0.7 * iv[-1])
        if not ok.any():
            break
        cand = iv[ok][np.argmin(np.abs(ratios[ok] - target))]
        if cand not in out:
            out.append(cand)
    return [iv[int(np.argmin(np.abs(iv - d)))] for d in out]
