"""The transmitter-clearance figure: a train of releases with acetylcholinesterase working and blocked."""

from __future__ import annotations

from excitable.experiments.common.figures import COLORS, TRANSMITTER, legend_outside, new_figure


def plot_transmitter_clearance(res):
    """Control vs blocked clearance: one endplate current, the train, desensitization, and a close-up
    of one release showing the depolarization block (V above threshold, Na+ inactivation gate h low)."""
    t, tr, s = res.t, res.traces, res.summary
    fig, axes = new_figure(6, 1, height=2.4, width=8.0)  # stacked: readable at phone width
    ax = axes[[0, 1, 2, 4, 3, 5], 0].reshape(3, 2)  # panels in reading order: one release, train, close-up
    # control in black; AChE blocked in the transmitter's colour (the ACh that stays)
    ctl, blk = COLORS["v"], TRANSMITTER
    labels = {"control": f"normal clearance (τ {s['tau_clear_control_ms']:g} ms)",
              "blocked": f"AChE blocked (τ {s['tau_clear_blocked_ms']:g} ms)"}
    colors = {"control": ctl, "blocked": blk}
    t1 = s["first_release_ms"]
    sel = (t >= t1 - 1) & (t <= t1 + 12)
    for a, key, ylab, title in (
            (ax[0, 0], "T", "[ACh] in cleft (mM)", "Transmitter after one release"),
            (ax[0, 1], "O", "receptors open", _decay_title(s))):
        for cond in ("control", "blocked"):
            a.plot(t[sel], tr[f"{key}_{cond}"][sel], color=colors[cond], lw=1.6, label=labels[cond])
        a.set_ylabel(ylab)
        a.set_xlabel("time (ms)")
        a.set_title(title, fontsize=10, loc="left")
        legend_outside(a)
    for row, cond in ((1, "control"), (2, "blocked")):
        a = ax[row, 0]
        a.plot(t, tr[f"v_{cond}"], color=colors[cond], lw=0.8)
        a.axhline(-55.0, color="0.5", lw=0.7, ls=":")
        a.text(t[-1], -55.0, "threshold ", ha="right", va="bottom", fontsize=9, color="0.4")
        a.set_ylabel("V (mV)")
        a.set_xlabel("time (ms)")
        followed, n = s[f"releases_followed_{cond}"], s["n_releases"]
        if followed == n and s[f"n_spikes_{cond}"] == n:
            answer = f"one spike per release ({n} to {n})"
        elif cond == "blocked" and s["depolarization_block"]:
            answer = f"fires for {followed}, then stops (depolarization block)"
        else:
            answer = f"{s[f'n_spikes_{cond}']} spikes to {n} releases"
        a.set_title(f"{labels[cond]}: {answer}", fontsize=10, loc="left")
    a = ax[1, 1]
    for cond in ("control", "blocked"):
        a.plot(t, tr[f"D_{cond}"], color=colors[cond], lw=1.6,
               label=f"{labels[cond]}:\n{100 * s[f'desensitized_end_{cond}']:.0f} % at the end")
    a.set_ylabel("desensitized\nfraction (D)")
    a.set_xlabel("time (ms)")
    a.set_title("Receptors desensitize when ACh lingers (the response fades)", fontsize=10, loc="left")
    legend_outside(a)
    # Close-up of the fifth release: V and Na+ inactivation h in both conditions.
    times = res.meta["release_times_ms"]
    t5 = times[min(4, len(times) - 1)]
    isi = 1000.0 / s["rate_hz"]
    sel = (t >= t5 - 1) & (t <= t5 + isi)
    a = ax[2, 1]
    a_h = a.twinx()
    for cond in ("control", "blocked"):
        a.plot(t[sel], tr[f"v_{cond}"][sel], color=colors[cond], lw=1.6, label=f"V, {cond}")
        a_h.plot(t[sel], tr[f"h_{cond}"][sel], color=colors[cond], lw=1.0, ls="--", label=f"h, {cond}")
    a.axhline(-55.0, color="0.5", lw=0.7, ls=":")
    a.set_ylabel("V (mV)")
    a.set_xlabel("time (ms)")
    a_h.set_ylabel("Na+ inactivation gate h\n(dashed; 1 = ready)", fontsize=9)
    a_h.set_ylim(0, 1.05)
    a_h.spines["top"].set_visible(False)
    block = "depolarization block" if s["depolarization_block"] else "no block"
    a.set_title(f"Close-up: blocked cell stays above threshold, h = "
                f"{s['h_on_plateau_blocked'] or float('nan'):.2f} ({block})", fontsize=10, loc="left")
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = a_h.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, frameon=False, loc="upper left", bbox_to_anchor=(1.2, 1.0))
    return fig


def _decay_title(s) -> str:
    """The EPC panel's title: how much slower the conductance decays (a decay that does not reach
    1/e within one interval has no time: said so)."""
    ctl, blk = s["epc_decay_control_ms"], s["epc_decay_blocked_ms"]
    if s["epc_decay_ratio"] is None:
        shown = [f"{x:.1f} ms" if x is not None else "not within one interval" for x in (ctl, blk)]
        return f"Endplate conductance decay (1/e): {shown[0]} -> {shown[1]}"
    return (f"Endplate conductance decays {s['epc_decay_ratio']:.1f}x slower when ACh stays "
            f"(1/e: {ctl:.1f} -> {blk:.1f} ms)")
