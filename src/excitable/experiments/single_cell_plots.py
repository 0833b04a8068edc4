"""Figures for the single-cell experiments (refractoriness, gates, currents, clamps, cell types).

Every figure labels its axes with units, names what each line is, shows the stimulus and uses the
colour-blind-safe palette of ``experiments.style``.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.style import COLORS, CYCLE, OKABE_ITO, new_figure, stimulus_axis

GREY = "0.55"


def stim_strip(ax, t, stim, label="stimulus\n(uA/cm2)"):
    ax.fill_between(t, stim, step="pre", color=COLORS["stim"], alpha=0.6, lw=0)
    ax.set_ylabel(label, fontsize=8)
    ax.tick_params(labelsize=7)


def plot_refractory_period(res):
    """Test responses, threshold recovery curve and the h and n gates, against time after conditioning."""
    s, tr, m = res.summary, res.traces, res.meta
    x = res.t - m["delay"]
    iv = np.asarray(s["intervals_ms"], float)
    ratios = np.array([np.nan if r is None else r for r in s["threshold_ratios"]])
    absolute, relative = s["absolute_refractory_ms"], s["relative_refractory_ms"]
    fig, ax = new_figure(4, 1, height=1.0, width=8.5, sharex=True,
                         gridspec_kw={"height_ratios": [3.0, 0.9, 2.4, 2.2]})
    a_v, a_s, a_r, a_g = ax[:, 0]
    shown = _pick_intervals(iv, ratios, absolute)
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
    a_v.axhline(0, color=GREY, lw=0.6, ls=":")
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=7, frameon=False, loc="upper right", ncol=2)
    a_v.set_title(f"Refractory period: {m['model_description']}, {s['temperature_degC']:g} degC "
                  f"(control threshold {s['control_threshold_uA_cm2']:.2f} uA/cm2, 1-ms pulses)",
                  fontsize=10)
    stim_strip(a_s, x, stim)
    a_s.set_yscale("symlog", linthresh=10)

    for a in (a_v, a_r, a_g):
        if absolute is not None:
            a.axvspan(0, absolute, color=GREY, alpha=0.15, lw=0)
        if relative is not None:
            a.axvspan(absolute or 0, relative, color=OKABE_ITO["orange"], alpha=0.15, lw=0)
    top = s["cap_uA_cm2"] / s["control_threshold_uA_cm2"]
    ok = np.isfinite(ratios)
    a_r.plot(iv[ok], ratios[ok], "o-", color=OKABE_ITO["vermillion"], ms=3.5, lw=1.2,
             label="test threshold / single-pulse threshold")
    a_r.plot(iv[~ok], np.full((~ok).sum(), top), "v", color=GREY, ms=5, label=f"no spike up to {top:g}x")
    a_r.axhline(1.0, color=GREY, lw=0.8, ls="--")
    a_r.set_yscale("log")
    a_r.set_ylim(0.5, top * 1.6)
    a_r.set_ylabel("threshold\n(x control)")
    if absolute is not None:
        a_r.text(absolute / 2, 0.55, f"absolute:\nup to {absolute:.3g} ms", ha="center", va="bottom", fontsize=8)
    if relative is not None:
        a_r.text(((absolute or 0) + relative) / 2, 0.55, f"relative: until {relative:.1f} ms", ha="center",
                 va="bottom", fontsize=8, color="0.25")
    if s.get("min_ratio") is not None and s["min_ratio"] < 0.97:
        a_r.annotate(f"supernormal {s['min_ratio']:.2f}x", (s["min_ratio_interval_ms"], s["min_ratio"]),
                     xytext=(0, 8), textcoords="offset points", fontsize=7, ha="center")
    a_r.legend(fontsize=7, frameon=False, loc="upper right")

    h, n = tr["h (Na+ inactivation gate)"], tr["n (K+ activation gate)"]
    a_g.plot(x, h, color=OKABE_ITO["orange"], lw=1.6, label="h: Na+ channels not inactivated")
    a_g.plot(x, n, color=COLORS["k"], lw=1.6, label="n: K+ channels open")
    a_g.axhline(s["h_rest"], color=OKABE_ITO["orange"], lw=0.7, ls=":")
    a_g.axhline(s["n_rest"], color=COLORS["k"], lw=0.7, ls=":")
    d8 = s["interval_gate_check_ms"]
    a_g.annotate(f"at {d8:g} ms: h = {s['h_at_check']:.2f} (rest {s['h_rest']:.2f}),\n"
                 f"n = {s['n_at_check']:.2f} (rest {s['n_rest']:.2f})", (d8, s["h_at_check"]),
                 xytext=(60, 6), textcoords="offset points", fontsize=7,
                 arrowprops=dict(arrowstyle="->", lw=0.6))
    a_g.set_ylabel("gate (0-1)")
    a_g.set_ylim(0, 1)
    a_g.legend(fontsize=7, frameon=False, loc="upper right")
    a_g.set_xlabel("time after the conditioning pulse = test interval (ms)")
    a_g.set_xlim(-1.5, iv[-1] + 6)
    return fig


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


def grid_figure(width, height, rows, cols, **kw):
    """A figure with a GridSpec (for panels of different sizes), styled as ``new_figure``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), constrained_layout=True)
    return fig, fig.add_gridspec(rows, cols, **kw)


def style_axes(ax):
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.set_prop_cycle(color=CYCLE)
    return ax


def plot_gates_overlap(res):
    """V, the open probabilities with their overlap shaded, the opposing currents, and the charge bars."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    fig, gs = grid_figure(11.0, 7.2, 3, 2, width_ratios=[3.0, 1.25])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_p = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_i = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_q = style_axes(fig.add_subplot(gs[:2, 1]))
    a_t = fig.add_subplot(gs[2, 1])
    a_t.axis("off")
    lo = max(s["na_open_window_ms"][0], s["k_open_window_ms"][0])
    hi = min(s["na_open_window_ms"][1], s["k_open_window_ms"][1])
    for a in (a_v, a_p, a_i):
        a.axvspan(lo, hi, color=OKABE_ITO["green"], alpha=0.18, lw=0)
    a_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label=f"V at {s['temperature_degC']:g} degC")
    a_v.plot(t, tr["v at compare temperature (mV)"], color=GREY, lw=1.0, ls="--",
             label=f"V at {s['temperatures_degC'][1]:g} degC")
    stimulus_axis(a_v, t, tr["i_stim"])
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=8, frameon=False, loc="upper right")
    a_v.set_title(f"Na+ and K+ channels open together: {m['model_description']}", fontsize=10)

    lvl = m["level"]
    for key, col, name, peak in (("open Na+ (m^3 h)", COLORS["na"], "Na+ channels open (m^3 h)",
                                  s["peak_na_open"]),
                                 ("open K+ (n^4)", COLORS["k"], "K+ channels open (n^4)", s["peak_k_open"])):
        a_p.plot(t, tr[key], color=col, lw=1.8, label=name)
        a_p.axhline(lvl * peak, color=col, lw=0.7, ls=":")
    a_p.annotate(f"both open: {s['overlap_ms']:.2f} ms", (hi, 0.6), xytext=(hi + 1.2, 0.6), va="center",
                 xycoords=a_p.get_xaxis_transform(), textcoords=a_p.get_xaxis_transform(), fontsize=9,
                 arrowprops=dict(arrowstyle="->", lw=0.7))
    a_p.set_ylabel("open probability")
    a_p.legend(fontsize=8, frameon=False, loc="center right", title=f"dotted: {lvl:g} x peak",
               title_fontsize=7)

    ina, ik = tr[m["na"]], tr[m["k"]]
    a_i.plot(t, ina, color=COLORS["na"], lw=1.4, label="INa (inward, < 0)")
    a_i.plot(t, ik, color=COLORS["k"], lw=1.4, label="IK (outward, > 0)")
    a_i.fill_between(t, ina, 0, where=(t >= lo) & (t <= hi), color=COLORS["na"], alpha=0.25, lw=0,
                     label="Na+ entry while K+ leaves")
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("current (uA/cm2)")
    a_i.set_xlabel("time after stimulus onset (ms)")
    a_i.legend(fontsize=8, frameon=False, loc="lower right")
    a_i.set_xlim(-1, min(t[-1], 14.0))

    temps = s["temperatures_degC"]
    q = s["na_charge_uC_cm2_by_temperature"]
    ratio = s["na_charge_ratio_by_temperature"]
    cmdv = [qq / r for qq, r in zip(q, ratio)]
    xs = np.arange(len(temps))
    a_q.bar(xs - 0.2, q, 0.38, color=COLORS["na"], label="Na+ charge per AP")
    a_q.bar(xs + 0.2, cmdv, 0.38, color=COLORS["cap"], label="minimum: Cm x (V_peak - V_rest)")
    for x, qq, r in zip(xs, q, ratio):
        a_q.text(x - 0.2, qq, f"{r:.1f}x", ha="center", va="bottom", fontsize=9)
    a_q.set_xticks(xs, [f"{T:g} degC" for T in temps])
    a_q.set_ylabel("charge (uC/cm2)")
    a_q.set_title("Na+ entry vs the charge\nthat just charges the membrane", fontsize=9)
    a_q.legend(fontsize=7, frameon=False, loc="center right")
    ov = s["overlap_ms_by_temperature"]
    a_t.text(0, 1, "\n".join([
        "Both gates open (green): Na+ flows in",
        "while K+ flows out, so much of the Na+",
        "charge is cancelled instead of charging",
        "the membrane.",
        "",
        *[f"{T:g} degC: overlap {o:.2f} ms, Na+ {qq:.2f} uC/cm2" for T, o, qq in zip(temps, ov, q)],
        f"(= {s['na_charge_pmol_cm2']:.1f} pmol/cm2 at {temps[0]:g} degC)",
    ]), va="top", fontsize=8, transform=a_t.transAxes)
    return fig


def plot_membrane_currents(res):
    """V with the falling phase shaded; every current on one axis; the balance at the steepest fall."""
    from excitable.experiments.membrane_currents import NAMES

    s, tr, m = res.summary, res.traces, res.meta
    t = res.t
    fig, gs = grid_figure(11.0, 6.6, 2, 2, width_ratios=[3.0, 1.2], height_ratios=[1.0, 1.6])
    a_v = style_axes(fig.add_subplot(gs[0, 0]))
    a_i = style_axes(fig.add_subplot(gs[1, 0], sharex=a_v))
    a_b = style_axes(fig.add_subplot(gs[:, 1]))
    f0, f1 = s["falling_phase_ms"]
    ts = s["steepest_fall_time_ms"]
    for a in (a_v, a_i):
        a.axvspan(f0, f1, color=OKABE_ITO["orange"], alpha=0.15, lw=0)
        a.axvline(ts, color=GREY, lw=0.8, ls="--")
    a_v.plot(t, tr["v"], color=COLORS["v"], lw=1.8, label="V")
    a_v.axhline(s["rest_mV"], color=GREY, lw=0.7, ls=":", label=f"rest {s['rest_mV']:.1f} mV")
    a_v.text(0.5 * (f0 + f1), 1.0, "falling phase", transform=a_v.get_xaxis_transform(), ha="center",
             va="bottom", fontsize=8)
    a_v.annotate(f"steepest fall: {s['steepest_fall_dvdt_mV_ms']:.1f} mV/ms\nat V = "
                 f"{s['steepest_fall_v_mV']:.1f} mV", (ts, s["steepest_fall_v_mV"]), xytext=(25, 25),
                 textcoords="offset points", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.6))
    stimulus_axis(a_v, t, tr["i_stim"])
    a_v.set_ylabel("V (mV)")
    a_v.legend(fontsize=8, frameon=False, loc="upper right")
    a_v.set_title(f"Membrane currents during an AP: {m['model_description']}, {s['temperature_degC']:g} degC",
                  fontsize=10, pad=14)

    styles = {"na": (COLORS["na"], "INa (Na+, inward)"), "k": (COLORS["k"], "IK (K+, outward)"),
              "leak": (COLORS["leak"], "IL (leak)"), "other": (OKABE_ITO["yellow"], "other (Ca2+ ...)")}
    for fam, (col, lab) in styles.items():
        if f"I_{fam}" in tr:
            a_i.plot(t, tr[f"I_{fam}"], color=col, lw=1.3, label=lab)
    a_i.plot(t, tr["i_ion"], color=COLORS["ion"], lw=2.4, label="I_ion = sum (net ionic)")
    a_i.plot(t, tr["i_cap"], color=COLORS["cap"], lw=1.4, ls="--", label="I_cap = C dV/dt")
    a_i.axhline(0, color=GREY, lw=0.6)
    a_i.set_ylabel("current (uA/cm2)\noutward > 0, inward < 0")
    a_i.set_xlabel("time (ms)")
    a_i.legend(fontsize=8, frameon=False, loc="lower right", ncol=2)
    a_i.text(f1, 0.97, "  falling phase: INa < 0 but IK > |INa|,\n  so I_ion > 0 and C dV/dt = -I_ion < 0",
             transform=a_i.get_xaxis_transform(), fontsize=8, va="top")
    a_i.set_xlim(max(0.0, m["delay"] - 1.0), min(t[-1], f1 + 8.0))

    names = [NAMES[f] for f in ("na", "k", "leak", "other") if f"{NAMES[f]}_at_steepest_fall_uA_cm2" in s]
    vals = [s[f"{n}_at_steepest_fall_uA_cm2"] for n in names] + [s["I_ion_at_steepest_fall_uA_cm2"],
                                                                  s["I_cap_at_steepest_fall_uA_cm2"]]
    cols = [styles[f][0] for f in ("na", "k", "leak", "other") if f"I_{f}" in tr] + [COLORS["ion"], COLORS["cap"]]
    labels = names + ["I_ion", "I_cap"]
    xs = np.arange(len(vals))
    a_b.bar(xs, vals, color=cols)
    for x, val in zip(xs, vals):
        a_b.text(x, val, f"{val:+.1f}", ha="center", va="bottom" if val >= 0 else "top", fontsize=8)
    a_b.axhline(0, color=GREY, lw=0.6)
    a_b.set_xticks(xs, labels, fontsize=8)
    a_b.set_ylabel("current (uA/cm2)")
    a_b.set_title(f"At the steepest fall (V = {s['steepest_fall_v_mV']:.1f} mV):\n"
                  "I_ion = INa + IK + IL > 0, I_cap = -I_ion", fontsize=9)
    return fig


def plot_undershoot(res):
    """Single spikes and their n gate (left) and spike trains under a long step (right), per condition."""
    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["delay"]
    names = m["conditions"]
    cols = [COLORS["v"], OKABE_ITO["vermillion"], OKABE_ITO["sky"]]
    fig, gs = grid_figure(12.0, 7.0, 4, 2, width_ratios=[1.0, 1.5], height_ratios=[1, 1, 1, 0.35])
    a_v = style_axes(fig.add_subplot(gs[0:2, 0]))
    a_n = style_axes(fig.add_subplot(gs[2, 0], sharex=a_v))
    a_ss = style_axes(fig.add_subplot(gs[3, 0], sharex=a_v))
    a_tr = [style_axes(fig.add_subplot(gs[i, 1])) for i in range(3)]
    a_st = style_axes(fig.add_subplot(gs[3, 1], sharex=a_tr[0]))
    for a in a_tr[1:]:
        a.sharex(a_tr[0])
        a.sharey(a_tr[0])
    rest = s["rest_mV"][0]
    for j, (name, col) in enumerate(zip(names, cols)):
        lab = (f"{name} (tau_n x {s['tau_n_scale'][j]:g}): undershoot {s['undershoot_depth_mV'][j]:.1f} mV "
               f"for {s['undershoot_duration_ms'][j]:.1f} ms")
        a_v.plot(t, tr[f"v single spike, {name} (mV)"], color=col, lw=1.6 if j == 0 else 1.2, label=lab)
        k = int(np.argmin(np.abs(t - s["undershoot_time_ms"][j])))
        a_v.plot(t[k], s["undershoot_mV"][j], "o", color=col, ms=4)
        a_n.plot(t, tr[f"n single spike, {name}"], color=col, lw=1.4, label=name)
        v = tr[f"v long step, {name} (mV)"]
        a_tr[j].plot(t, v, color=col, lw=0.9)
        a_tr[j].axhline(rest, color=GREY, lw=0.6, ls=":")
        a_tr[j].set_title(f"{name}: {s['rate_hz'][j]:.0f} spikes/s (second half of the step)", fontsize=9,
                          loc="left")
        a_tr[j].set_ylabel("V (mV)")
    a_v.axhline(rest, color=GREY, lw=0.8, ls=":", label=f"rest {rest:.1f} mV")
    a_v.axhline(rest - 1.0, color=GREY, lw=0.5, ls="--")
    a_v.set_ylabel("V (mV)")
    a_v.set_title(f"Single spike: {m['description']}, {s['temperature_degC']:g} degC", fontsize=10)
    a_v.legend(fontsize=7, frameon=False, loc="upper right")
    hi = min(m["window"], t[-1], 5.0 + 1.3 * max(a + b for a, b in zip(s["undershoot_time_ms"],
                                                                     s["undershoot_duration_ms"])))
    lo_v = min(s["undershoot_mV"]) - 3.0
    a_v.set_ylim(lo_v - 2.0, max(s["peak_mV"]) + 8.0)
    ins = a_v.inset_axes([0.45, 0.25, 0.52, 0.33])
    for j, (name, col) in enumerate(zip(names, cols)):
        ins.plot(t, tr[f"v single spike, {name} (mV)"], color=col, lw=1.1)
    ins.axhline(rest, color=GREY, lw=0.7, ls=":")
    ins.set_xlim(2.0, hi)
    ins.set_ylim(lo_v, rest + 3.0)
    ins.set_title("the undershoot, enlarged", fontsize=7)
    ins.tick_params(labelsize=6)
    a_n.set_ylabel("n (K+ gate)")
    a_n.text(0.98, 0.92, "slower n: K+ channels stay open longer", transform=a_n.transAxes, ha="right",
             va="top", fontsize=8)
    pulse = np.where((t >= 0) & (t < 1.0), m["pulse_amplitude"], 0.0)
    stim_strip(a_ss, t, pulse)
    a_ss.set_xlabel("time after stimulus onset (ms)")
    a_v.set_xlim(-2.0, hi)
    step = np.where((t >= 0) & (t < m["step_duration"]), m["step_amplitude"], 0.0)
    stim_strip(a_st, t, step)
    a_st.set_xlabel("time after step onset (ms)")
    a_tr[0].set_xlim(-5.0, min(t[-1], 150.0))
    return fig


def plot_voltage_clamp(res):
    """Command steps; INa and IK families; gNa and gK at the probe level vs closed form; I-V curves."""
    import matplotlib

    s, tr, m = res.summary, res.traces, res.meta
    t = res.t - m["hold"]
    levels = m["levels"]
    cmap = matplotlib.colormaps["viridis"]
    span = max(levels) - min(levels) or 1.0
    col = {vc: cmap(0.9 * (vc - min(levels)) / span) for vc in levels}
    fig, gs = grid_figure(11.5, 8.0, 3, 2, height_ratios=[0.55, 1.3, 1.3])
    a_c = style_axes(fig.add_subplot(gs[0, 0]))
    a_c2 = style_axes(fig.add_subplot(gs[0, 1], sharex=a_c))
    a_na = style_axes(fig.add_subplot(gs[1, 0], sharex=a_c))
    a_k = style_axes(fig.add_subplot(gs[1, 1], sharex=a_c))
    a_g = style_axes(fig.add_subplot(gs[2, 0], sharex=a_c))
    a_iv = style_axes(fig.add_subplot(gs[2, 1]))
    probe = s["probe_mV"]
    for vc in levels:
        lw = 1.8 if vc == probe else 0.9
        for a in (a_c, a_c2):
            a.plot(t, tr[f"v at {vc:+g} (mV)"], color=col[vc], lw=lw)
        a_na.plot(t, tr[f"INa at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw)
        a_k.plot(t, tr[f"IK at {vc:+g} (uA/cm2)"], color=col[vc], lw=lw, label=f"{vc:+g} mV")
    a_c.set_ylabel("command\nV (mV)", fontsize=8)
    a_c.set_title(f"Voltage clamp, {m['model_description']}, {s['temperature_degC']:g} degC: "
                  f"steps from {m['holding']:g} mV", fontsize=10, loc="left")
    a_na.set_ylabel("INa (uA/cm2)\ninward < 0")
    a_na.set_title("Na+ current: fast on (m), then off although V stays up (h)", fontsize=9)
    a_k.set_ylabel("IK (uA/cm2)\noutward > 0")
    a_k.set_title("K+ current: slower on (n), stays on (no inactivation)", fontsize=9)
    a_k.legend(fontsize=6, frameon=False, loc="upper left", ncol=2, title="step to", title_fontsize=7)
    for a in (a_na, a_k):
        a.axhline(0, color=GREY, lw=0.6)

    g_na, g_k = tr[f"gNa at {probe:+g} (mS/cm2)"], tr[f"gK at {probe:+g} (mS/cm2)"]
    a_g.plot(t, g_na, color=COLORS["na"], lw=1.8, label="gNa = gNa_max m^3 h (simulated)")
    a_g.plot(t, g_k, color=COLORS["k"], lw=1.8, label="gK = gK_max n^4 (simulated)")
    every = max(1, int(round(0.25 / (res.t[1] - res.t[0]))))
    for key, c in (("gNa", COLORS["na"]), ("gK", COLORS["k"])):
        a_g.plot(t[::every], tr[f"{key} closed form at {probe:+g} (mS/cm2)"][::every], "o", ms=2.5,
                 color=c, mfc="white", mew=0.8)
    a_g.plot([], [], "o", color=GREY, mfc="white", ms=3,
             label="closed form: x(t) = x_inf - (x_inf - x0) e^(-t/tau)")
    if s["probe_inactivation_tau_ms"] is not None:
        a_g.text(0.98, 0.1, f"INa decays with tau = {s['probe_inactivation_tau_ms']:.3f} ms\n"
                 f"(tau_h = 1/(alpha_h + beta_h) = {s['tau_h_closed_form_ms']:.3f} ms)\n"
                 f"peak INa {s['probe_peak_ina_time_ms']:.2f} ms after the step",
                 transform=a_g.transAxes, ha="right", va="bottom", fontsize=8)
    a_g.set_ylabel(f"conductance at {probe:g} mV\n(mS/cm2)")
    a_g.set_xlabel("time after the step (ms)")
    a_g.legend(fontsize=7, frameon=False, loc="upper right")
    a_k.set_xlabel("time after the step (ms)")
    a_g.set_xlim(-1.0, m["duration"] + 2.0)

    lv = np.asarray(s["step_levels_mV"])
    a_iv.plot(lv, s["peak_ina_uA_cm2"], "o-", color=COLORS["na"], ms=3.5, label="peak INa")
    a_iv.plot(lv, s["ik_end_uA_cm2"], "s-", color=COLORS["k"], ms=3.5, label="IK at the end of the step")
    a_iv.axhline(0, color=GREY, lw=0.6)
    a_iv.axvline(s["eNa_mV"], color=COLORS["na"], lw=0.8, ls="--")
    if s["ina_reversal_mV"] is not None:
        a_iv.annotate(f"INa reverses at {s['ina_reversal_mV']:.1f} mV (ENa = {s['eNa_mV']:g})",
                      (s["ina_reversal_mV"], 0), xytext=(0.3, 0.3), textcoords="axes fraction", fontsize=8,
                      arrowprops=dict(arrowstyle="->", lw=0.6))
    a_iv.set_xlabel("step voltage (mV)")
    a_iv.set_ylabel("current (uA/cm2)")
    a_iv.set_title("Current-voltage curves", fontsize=9)
    a_iv.legend(fontsize=8, frameon=False, loc="upper left")
    return fig
