"""The permeability figure: what scaling the Na+ and K+ permeabilities together does to the resting
potential, the input resistance and the response to a current.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, legend_outside, new_figure, note


def _shades(n: int) -> list[str]:
    """Black for k = 1 (the control), then lighter greys for leakier membranes."""
    return [str(round(0.6 * i / max(n - 1, 1), 2)) for i in range(n)]


def plot_permeability(res):
    """GHK rest vs scale factor, passive R_in / tau / EPSP vs k, HH spikes with the leak scaled."""
    from matplotlib.ticker import NullFormatter

    s, m = res.summary, res.meta
    k = np.asarray(s["k_values"])
    fig, ax = new_figure(4, 1, height=3.2, width=8.0)  # stacked: readable at phone width
    a0, a1, a2, a3 = ax[:, 0]
    series = [("all", "PK, PNa, PCl all x k", COLORS["v"]), ("na_and_k", "PNa and PK x k", GREY),
              ("na", "PNa x k", COLORS["na"]), ("k", "PK x k", COLORS["k"])]
    for key, label, col in series:
        a0.plot(k, s[f"ghk_rest_{key}_scaled_mV"], "o-", color=col, label=label)
    a0.set_xscale("log")
    a0.xaxis.set_minor_formatter(NullFormatter())
    a0.set_xticks(k, [f"{x:g}" for x in k])
    a0.set_xlabel("permeability scale factor k")
    a0.set_ylabel("GHK resting potential (mV)")
    a0.set_title("Only the ratios of the permeabilities set the resting potential", loc="left")
    legend_outside(a0)
    note(a0, f"PNa / PK = 20 (as at an AP peak): {s['ghk_rest_pna_over_pk_20_mV']:+.1f} mV", y=0.08, x=0.02)

    fine = np.linspace(k.min(), k.max(), 200)
    rin, tau = np.asarray(s["passive_rin_MOhm"]), np.asarray(s["passive_tau_ms"])
    ref = int(np.argmin(np.abs(k - 1.0)))
    a1.plot(fine, k[ref] / fine, color="0.6", lw=2, label="1/k (theory:\nR_in = 1/(g A), τ = C/g)")
    a1.plot(k, rin / rin[ref], "o", color=COLORS["v"], ms=8, label="input resistance\n(simulated)")
    a1.plot(k, tau / tau[ref], "s", color="white", mec=COLORS["v"], ms=4, label="time constant\n(simulated)")
    a1.set_xlabel("gK and gNa scale factor k (passive compartment)")
    a1.set_ylabel(f"relative to k = {k[ref]:g}")
    a1.set_title(f"More open channels: R_in and τ fall as 1/k (rest stays {s['passive_rest_mV']:.1f} mV)",
                 loc="left")
    legend_outside(a1)
    note(a1, "\n".join(f"k = {x:g}: R_in {r:.0f} MΩ, τ {t_:.2f} ms" for x, r, t_ in zip(k, rin, tau)),
          x=0.35, y=0.55)

    t = res.t
    t0 = 305.0
    win = (t >= t0 - 5) & (t <= t0 + 40)
    for (label, y), x, epsp, col in zip(res.traces.items(), k, s["passive_epsp_mV"], _shades(len(k))):
        a2.plot(t[win] - t0, y[win] - y[win][0], lw=1.8, color=col, label=f"k = {x:g}: EPSP {epsp:.2f} mV")
    a2.set_xlabel("time after EPSC onset (ms)")
    a2.set_ylabel("EPSP (mV from rest)")
    a2.set_title("The same synaptic current (5 ms) makes a smaller, briefer EPSP\nwhen the membrane is leakier",
                 loc="left")
    legend_outside(a2)

    th = m["hh_t"]
    leak = [(label, y) for label, y in m["hh_traces"].items() if "leak" in label]
    for (label, y), col in zip(leak, _shades(len(leak))):
        a3.plot(th, y, lw=1.6, color=col, label=label.split(":")[0].replace("HH leak x", "HH leak x "))
    amp = s["hh_leak_amplitude_mV"]
    thr = s["hh_leak_threshold_uA_cm2"]
    a3.set_xlabel("time (ms)")
    a3.set_ylabel("V (mV)")
    a3.set_title(f"A leakier membrane shunts the spike: smaller, with a higher threshold\n(HH's Na+/K+ leak x k, "
                 f"the same {s['hh_leak_stimulus_uA_cm2']:.1f} µA/cm² pulse)", loc="left")
    legend_outside(a3)
    note(a3, "\n".join(f"k = {x:g}: amplitude {a:.1f} mV, threshold "
                        + (f"{t_:.2f} µA/cm²" if t_ is not None else "none")
                        for x, a, t_ in zip(k, amp, thr)), y=0.6, x=0.45)
    return fig
