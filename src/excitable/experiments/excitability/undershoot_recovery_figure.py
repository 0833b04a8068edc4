"""The undershoot-recovery figure: V and h after one spike with and without the undershoot, and the
test spikes at each interval."""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, OKABE_ITO, new_figure, note

CONTROL, CLAMPED = COLORS["v"], OKABE_ITO["purple"]
H_COLOR = COLORS["na"]  # h belongs to the Na+ channel


def plot_undershoot_recovery(res):
    """(a) V after the spike, (b) h, (c) the test spikes (control), (d) test-spike peak vs interval."""
    t, tr, s, m = res.t, res.traces, res.summary, res.meta
    single = m["single"]
    fig, ax = new_figure(2, 2, height=2.8, width=11.0)
    (a_v, a_tests), (a_h, a_peak) = ax
    window = (t >= m["delay"] - 1) & (t <= m["delay"] + m["last_interval"])
    a_v.plot(t[window], single["v"][window], color=CONTROL, lw=1.6, label="control")
    a_v.plot(t[window], tr["v clamped no test"][window], color=CLAMPED, lw=1.4, ls="--",
             label="undershoot clamped away")
    a_v.axhline(s["rest_mV"], color=GREY, lw=0.7, ls=":")
    a_v.text(t[window][-1], s["rest_mV"] + 1, "rest", ha="right", va="bottom", fontsize=7, color=GREY)
    lo = s["undershoot_mV"]
    a_v.annotate(f"undershoot {s['undershoot_below_rest_mV']:.1f} mV below rest",
                 xy=(t[int(np.argmin(np.where(t > m['clamp_from_ms'], single['v'], np.inf)))], lo),
                 xytext=(0.3, 0.12), textcoords="axes fraction", fontsize=7.5, arrowprops=dict(arrowstyle="->"))
    a_v.set_ylim(lo - 3, s["rest_mV"] + 0.6 * (s["rest_mV"] - lo) + 8)
    a_v.set_ylabel("V (mV)")
    a_v.set_title("(a) After one spike: V, zoomed on the undershoot", fontsize=9)
    a_h.plot(t[window], single["h"][window], color=H_COLOR, lw=1.6, label="h, control")
    a_h.plot(t[window], tr["h clamped no test"][window], color=CLAMPED, lw=1.4, ls="--",
             label="h, undershoot clamped away")
    a_h.axhline(s["h_at_rest"], color=GREY, lw=0.7, ls=":")
    a_h.text(t[window][0], s["h_at_rest"], " h at rest", va="bottom", fontsize=7, color=GREY)
    t5 = m["clamp_from_ms"] + s["compare_after_ms"]
    a_h.axvline(t5, color=GREY, lw=0.7, ls=":")
    note(a_h, f"{s['compare_after_ms']:g} ms after the spike: h = {s['h_later_control']:.2f} with the "
              f"undershoot,\n{s['h_later_clamped']:.2f} without (tau_h {s['tau_h_undershoot_ms']:.1f} ms "
              f"in it, {s['tau_h_rest_ms']:.1f} ms at rest)", x=0.98, y=0.25, ha="right")
    a_h.set_ylabel("h: Na+ channels\nnot inactivated")
    a_h.set_xlabel("time (ms)")
    a_h.set_title("(b) h recovers faster and further in the undershoot", fontsize=9)
    ivals = np.asarray(s["intervals_ms"])
    colors = [_shade(k / max(len(ivals) - 1, 1)) for k in range(len(ivals))]
    for dt_test, c in zip(ivals, colors):
        a_tests.plot(t[window], tr[f"v control {dt_test:g} ms"][window], color=c, lw=1.0,
                     label=f"{dt_test:g} ms")
    a_tests.set_ylabel("V (mV)")
    a_tests.set_title("(c) Control: a test pulse at each interval", fontsize=9)
    a_tests.legend(title="interval", fontsize=6.5, title_fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                   frameon=False)
    for kind, color, ls in (("control", CONTROL, "-"), ("clamped", CLAMPED, "--")):
        a_peak.plot(ivals, s[f"test_peak_mV_{kind}"], "o" + ls, color=color, ms=4,
                    label="control" if kind == "control" else "undershoot clamped away")
    a_peak.axhline(0.0, color=GREY, lw=0.7, ls=":")
    a_peak.set_xlabel("interval between the pulses (ms)")
    a_peak.set_ylabel("test response peak (mV)")
    a_peak.set_title("(d) Test response peak: does the test pulse fire yet?", fontsize=9)
    a_tests.set_xlabel("time (ms)")
    for a, loc in ((a_v, "upper right"), (a_h, "center right"), (a_peak, "center right")):
        a.legend(fontsize=7, loc=loc, frameon=False)
    fig.suptitle("The undershoot resets the Na+ channels: h recovers faster and further below rest",
                 fontsize=10)
    return fig


def _shade(x: float) -> str:
    """From orange (short intervals) to blue (long ones)."""
    import matplotlib.colors as mc

    a, b = np.array(mc.to_rgb(OKABE_ITO["orange"])), np.array(mc.to_rgb(OKABE_ITO["blue"]))
    return mc.to_hex(a + (b - a) * x)
