"""The resting-potential figure: the equilibrium potentials, the GHK resting potential and its
dependence on [K+] outside.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.common.figures import COLORS, GREY, legend_outside, new_figure, note

ION_COLOR = {"k": COLORS["k"], "na": COLORS["na"], "cl": COLORS["cl"]}
ION_LABEL = {"k": "K+", "na": "Na+", "cl": "Cl-"}


def plot_resting_potential(res):
    """Equilibrium potentials vs rest (with permeability shares), V vs [K]o, and two compartments settling."""
    s, m = res.summary, res.meta
    fig, ax = new_figure(3, 1, height=3.6, width=8.0)  # stacked: readable at phone width
    a0, a1, a2 = ax[:, 0]
    perm = {"k": m["pk"], "na": m["pna"], "cl": m["pcl"]}
    total = sum(perm.values())
    e = {"k": s["ek_mV"], "na": s["ena_mV"], "cl": s["ecl_mV"]}
    for i, ion in enumerate(("k", "na", "cl")):
        share = perm[ion] / total
        a0.bar(i, e[ion], width=0.25 + 0.55 * share, color=ION_COLOR[ion], alpha=0.75)
        a0.text(i, 3 if e[ion] < 0 else -3, f"P = {perm[ion]:g}\n({100 * share:.0f} %)", ha="center",
                va="bottom" if e[ion] < 0 else "top", fontsize=9, color="0.25")
    a0.axhline(s["rest_mV"], color=COLORS["v"], lw=2)
    a0.text(-0.45, s["rest_mV"] - 3, f"rest {s['rest_mV']:.2f} mV", va="top", ha="left", fontsize=9)
    a0.axhline(0, color="0.5", lw=0.6)
    a0.set_xticks(range(3), [f"{ION_LABEL[i]}\nE = {e[i]:+.2f} mV" for i in ("k", "na", "cl")])
    a0.set_xlim(-0.5, 2.5)
    a0.set_ylabel("equilibrium potential E (mV, inside - outside)")
    a0.set_ylim(-120, 100)
    a0.set_title(f"Inside negative: rest ({s['rest_mV']:.0f} mV) lies near E$_K$ because K+ is the most "
                 "permeant ion", loc="left")
    note(a0, f"bars: E of each ion (Nernst, {s['temperature_degC']:g} °C)\nwidth: its share of the permeability\n"
          "rest (GHK): the permeability-weighted\ncompromise, near E$_K$", x=0.62, y=0.97)

    ko = np.asarray(s["ko_series_mM"])
    fine = np.geomspace(ko.min(), ko.max(), 200)
    vt = s["thermal_voltage_mV"]
    a1.semilogx(fine, vt * np.log(fine / m["ki"]), color=COLORS["k"], ls="--",
                label=f"E$_K$ (Nernst,\n{s['nernst_slope_mV_per_decade']:.1f} mV per 10x)")
    a1.semilogx(ko, s["rest_vs_ko_mV"], "o-", color=COLORS["v"], label="resting potential (GHK)")
    v_ko = np.asarray(s["rest_vs_ko_mV"])
    for x, y, sl in zip(np.sqrt(ko[1:] * ko[:-1]), 0.5 * (v_ko[1:] + v_ko[:-1]), s["slope_vs_ko_mV_per_decade"]):
        a1.text(x, y - 3, f"{sl:.0f}", fontsize=9, ha="left", va="top", color="0.3")
    a1.set_xlabel("[K+] outside (mM, log scale)")
    a1.set_ylabel("V (mV)")
    a1.set_title("Raising [K+] outside depolarizes: V follows E$_K$ closely only at high [K+]", loc="left")
    legend_outside(a1)
    note(a1, "numbers: GHK slope between points (mV per 10x).\nAt low [K+]o the Na+ and Cl- terms keep\n"
          "V well above E$_K$; the slope nears Nernst\nonly when the K+ term dominates")

    t = res.t
    for label, y in res.traces.items():
        ghk = "GHK" in label
        a2.plot(t, y, ls="-" if ghk else "--", lw=2.0 if ghk else 1.6, color=COLORS["v"] if ghk else GREY,
                label=label.replace("v (", "").rstrip(")"))
    for ion in ("k", "na", "cl"):
        a2.axhline(e[ion], color=ION_COLOR[ion], lw=0.8, ls=":")
        a2.text(1.0, e[ion], f" E({ION_LABEL[ion]}) {e[ion]:.0f} mV", color=ION_COLOR[ion], fontsize=9,
                va="center", transform=a2.get_yaxis_transform())
    a2.set_xlabel("time (ms)")
    a2.set_ylabel("V (mV)")
    a2.set_ylim(-110, 80)
    a2.set_title(f"A membrane started at 0 mV settles at {s['sim_ghk_rest_mV']:.1f} mV, the GHK rest",
                 loc="left")
    a2.legend(loc="center left", bbox_to_anchor=(1.01, 0.35), frameon=False)  # clear of the E labels
    g = {i: s[f"g_{i}_mS_cm2"] for i in ("k", "na", "cl")}
    note(a2, "conductances at rest (mS/cm²): " + ", ".join(f"g{ION_LABEL[i]} {g[i]:.3f}" for i in g)
          + f"\nV = sum(g E) / sum(g) = {s['conductance_rest_mV']:.2f} mV"
          + f"\nsimulated: {s['sim_ghk_rest_mV']:.2f} (GHK), {s['sim_conductance_rest_mV']:.2f} mV (g)",
          x=0.25, y=0.72)
    return fig
