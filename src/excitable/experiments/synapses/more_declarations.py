"""Declarations of the synapse experiments added with issue 16 (calcium-release, electrical-synapse,
postsynaptic-spike): question, parameters (units, bounds, sliders), interventions, signals, the plain
answer, headline numbers and suggestions.

Kept apart from ``declarations`` so that each module stays readable in one sitting; ``declarations``
re-exports them (``excitable.experiments.find_declaration`` looks there). Light like every declaration:
nothing heavier than ``excitable.experiments.base``.
"""

from __future__ import annotations

from excitable.experiments.base import (Experiment, Headline, Intervention, Param, Signal, Suggestion, decades,
                                        steps)
from excitable.experiments.common.params import time_step

FAMILY = "synapses"
FRACTION = steps(0, 1, 0.05)  # a fraction of channels blocked

ELECTRICAL_SYNAPSE = Experiment(
    name="electrical-synapse",
    question="How do electrical (gap junction) and chemical synapses differ?",
    family=FAMILY,
    params={
        "g_gap": Param(3.0, "nS", "gap-junction conductance (a quarter of the cell's own 12 nS: coupling "
                       "about 0.2)", minimum=0.0, maximum=100.0, slider=steps(0, 30, 0.5)),
        "carbenoxolone": Param(0.0, "", "fraction of the gap junctions blocked (carbenoxolone): 0 none, 1 all",
                               minimum=0, maximum=1, slider=FRACTION),
        "gmax_ampa": Param(0.002, "uS", "AMPA conductance of the excitatory chemical synapse", minimum=0,
                           maximum=1.0, slider=steps(0, 0.05, 0.0005)),
        "gmax_gaba": Param(0.002, "uS", "GABA_A conductance of the inhibitory chemical synapse", minimum=0,
                           maximum=1.0, slider=steps(0, 0.05, 0.0005)),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential of the GABA_A synapse", minimum=-100, maximum=-40,
                      slider=steps(-100, -40, 1)),
        "release_delay": Param(0.5, "ms", "presynaptic spike (0 mV) -> transmitter release (Ca2+ entry, "
                               "fusion)", minimum=0.0, maximum=5.0, slider=steps(0, 5, 0.05)),
        "step_nA": Param(-0.1, "nA", "the hyperpolarizing current step into one cell of a pair",
                         minimum=-0.5, maximum=-0.01, slider=steps(-0.5, -0.01, 0.01)),
        "tstop": Param(80.0, "ms", "simulated time (the steps end 5 ms before)", minimum=40.0, maximum=500.0,
                       slider=steps(40, 500, 10)),
        "dt": time_step(maximum=0.05),
    },
    interventions=(Intervention("carbenoxolone", {"carbenoxolone": 1.0}, "blocks the gap junctions: the "
                                "electrical pair is uncoupled"),),
    signals=(Signal("v_gap_*", "mV", "the pairs joined by a gap junction (cell 1, cell 2)"),
             Signal("v_chem_*", "mV", "the pairs joined by an AMPA (excitatory) chemical synapse"),
             Signal("v_inh_*", "mV", "the pair joined by a GABA_A (inhibitory) chemical synapse"),
             Signal("v_probe", "mV", "an uncoupled cell: its input conductance")),
    answer=("A gap junction acts at once (cell 2 starts to move {gap_lag_ms:.2f} ms after cell 1 does, before "
            "cell 1's spike even peaks; through the chemical synapse it starts {chemical_latency_ms:.2f} ms "
            "after the spike), passes hyperpolarization and works "
            "both ways (coupling {coupling_coefficient:.2f} forward, {reverse_coupling_coefficient:.2f} back); "
            "a chemical synapse is one-way and delayed, and its receptor sets the sign: the same spike gives "
            "an EPSP of {epsp_mV:.1f} mV or an IPSP of {ipsp_mV:.1f} mV."),
    headline=(Headline("gap_lag_ms", "Gap junction: cell 2 starts after cell 1 starts", "ms"),
              Headline("gap_latency_ms", "Gap junction: cell 2 starts after cell 1's spike (0 mV)", "ms"),
              Headline("chemical_latency_ms", "Chemical: cell 2 starts after cell 1's spike (0 mV)", "ms"),
              Headline("coupling_coefficient", "Coupling coefficient V2/V1 (steady)"),
              Headline("coupling_closed_form", "Coupling, closed form g_c / (g_c + G2)"),
              Headline("reverse_coupling_coefficient", "Coupling backwards (step into cell 2)"),
              Headline("gap_spikelet_mV", "Spikelet in the coupled cell", "mV"),
              Headline("epsp_mV", "EPSP (AMPA)", "mV"), Headline("ipsp_mV", "IPSP (GABA_A)", "mV"),
              Headline("chemical_reverse_pre_mV", "Chemical: what reaches cell 1 from cell 2", "mV")),
    suggestions=(Suggestion("Block the gap junctions with carbenoxolone: the coupled cell no longer follows",
                            {"carbenoxolone": 1.0}),
                 Suggestion("A strong gap junction (30 nS): the spike crosses and fires the second cell",
                            {"g_gap": 30.0}),
                 Suggestion("A longer release step (2 ms, as in the cold): the chemical delay grows, the "
                            "electrical one does not", {"release_delay": 2.0})),
    model_note=("The textbook mammalian neuron's spike channels (rest -70 mV, body temperature, 37 °C) in small "
                "identical cells: a typical pair of neurons, where gap junctions of a few nS couple them by 0.05-0.3."),
)

POSTSYNAPTIC_SPIKE = Experiment(
    name="postsynaptic-spike",
    question="When does the next cell fire? (EPSPs summing to threshold)",
    family=FAMILY,
    params={
        "gmax": Param(0.001, "uS", "AMPA conductance of each excitatory synapse (one EPSP about 1 mV)",
                      positive=True, maximum=0.1, slider=decades(0.0001, 0.1)),
        "n_max": Param(16, "", "the most inputs tried (one cell per number, per condition)", int, minimum=2,
                       maximum=100, slider=steps(2, 100, 1)),
        "spread": Param(20.0, "ms", "the spread-out inputs arrive evenly over this time", positive=True,
                        maximum=100, slider=steps(0.5, 100, 0.5)),
        "gmax_inh": Param(0.005, "uS", "GABA_A conductance of the one inhibitory synapse", minimum=0,
                          maximum=0.1, slider=steps(0, 0.05, 0.0005)),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential of the GABA_A synapse", minimum=-100, maximum=-40,
                      slider=steps(-100, -40, 1)),
        "tstop": Param(50.0, "ms", "simulated time", minimum=20, maximum=500, slider=steps(20, 500, 5)),
        "dt": time_step(maximum=0.05),
    },
    signals=(Signal("v together *", "mV", "the cell with k inputs all at once"),
             Signal("v spread *", "mV", "the cell with k inputs spread in time"),
             Signal("v inhibited *", "mV", "k inputs at once plus one inhibitory input"),
             Signal("v current clamp", "mV", "a 1-ms current pulse: the threshold, measured without synapses")),
    interventions=(Intervention("bicuculline", {"gmax_inh": 0.0}, "blocks the GABA_A receptors: the inhibited "
                                "cell needs no more inputs than the others"),),
    quick={"n_max": 10},  # 10 still covers the 8 inputs the inhibited cell needs
    answer=("When enough inputs sum: one EPSP is {unitary_epsp_mV:.2f} mV and a brief input must take V from "
            "{rest_mV:.0f} to {instant_threshold_mV:.1f} mV (from there the Na+ channels carry it on to the "
            "spike), so {needed_together:d} inputs arriving together fire the cell ({predicted_needed:.1f} "
            "expected from that distance over one EPSP); spread over time it takes {needed_spread:d}, and with "
            "one inhibitory input {needed_inhibited:d}."),
    headline=(Headline("unitary_epsp_mV", "One EPSP", "mV"),
              Headline("instant_threshold_mV", "Point of no return for a brief input", "mV"),
              Headline("threshold_mV", "Where the spike takes off (dV/dt = 10 mV/ms, current clamp)", "mV"),
              Headline("needed_together", "Inputs needed, all at once"),
              Headline("predicted_needed", "Expected: (point of no return - rest) / one EPSP"),
              Headline("needed_spread", "Inputs needed, spread in time"),
              Headline("needed_inhibited", "Inputs needed, with inhibition"),
              Headline("largest_subthreshold_mV", "Highest V without a spike", "mV")),
    suggestions=(Suggestion("Stronger synapses (2 nS each): half as many inputs are needed", {"gmax": 0.002}),
                 Suggestion("Spread the inputs over 50 ms, five membrane time constants: many more are "
                            "needed", {"spread": 50.0}),
                 Suggestion("Shunting inhibition (E_Cl at rest): it still raises the number", {"e_cl": -70.0})),
    model_note=("The textbook mammalian neuron (rest -70, threshold -55 mV, body temperature) in one "
                "compartment: a typical neuron; where an input lands on its dendrites does not matter here "
                "(morphology shows the cable)."),
)

CALCIUM_RELEASE = Experiment(
    name="calcium-release",
    question="Why does transmitter release need Ca2+?",
    family=FAMILY,
    params={
        "cao": Param(2.0, "mM", "external Ca2+ of the terminal shown (the others span 0.25-4 mM)", positive=True,
                     maximum=10.0, slider=steps(0.05, 10, 0.05)),
        "cd_block": Param(0.0, "", "fraction of the Ca2+ channels blocked by Cd2+ (one terminal is always "
                          "fully blocked, for comparison): 0 none, 1 all", minimum=0, maximum=1, slider=FRACTION),
        "cooperativity": Param(4.0, "", "Ca2+ ions the sensor must bind to release a vesicle (synaptotagmin: "
                               "about 4)", minimum=1, maximum=6, slider=steps(1, 6, 0.5)),
        "k_d": Param(40.0, "uM", "[Ca2+]i at which release runs at half its maximal rate", positive=True,
                     maximum=1000, slider=decades(1, 1000)),
        "k_max": Param(30.0, "1/ms", "maximal release rate of one site", positive=True, maximum=100,
                       slider=decades(0.1, 100)),
        "n_sites": Param(20, "", "release sites (docked vesicles) of the terminal", int, minimum=1, maximum=1000,
                         slider=steps(1, 500, 1)),
        "quantum": Param(0.0005, "uS", "AMPA conductance opened by one vesicle's transmitter", positive=True,
                         maximum=0.01, slider=decades(0.00001, 0.01)),
        "p_ca": Param(2e-5, "cm/s", "Ca2+ permeability of the terminal's membrane (all channels open)",
                      positive=True, maximum=1e-2, slider=decades(1e-6, 1e-2)),
        "shell_nm": Param(20.0, "nm", "depth of the layer under the membrane where Ca2+ meets the sensor",
                          positive=True, maximum=10000, slider=decades(10, 10000)),
        "tau_ca": Param(0.3, "ms", "how fast that Ca2+ is buffered and carried away", positive=True, maximum=100,
                        slider=decades(0.05, 100)),
        "tstop": Param(20.0, "ms", "simulated time", minimum=10, maximum=200, slider=steps(10, 200, 5)),
        "dt": time_step(maximum=0.05),
    },
    interventions=(Intervention("Cd2+", {"cd_block": 1.0}, "cadmium blocks the Ca2+ channels: no release"),
                   Intervention("low Ca2+ bath", {"cao": 0.5}, "a quarter of the normal external Ca2+")),
    signals=(Signal("v terminal *", "mV", "the terminal's spike, for each [Ca2+]o"),
             Signal("ica *", "uA/cm2", "Ca2+ current into the terminal (inward < 0)"),
             Signal("cai *", "uM", "[Ca2+]i under the membrane"),
             Signal("release rate *", "1/ms", "vesicles released per ms"),
             Signal("v post *", "mV", "the postsynaptic cell")),
    answer=("Because Ca2+ entering through the terminal's channels is the trigger: the spike raises [Ca2+]i "
            "under the membrane from 0.1 to {peak_cai_uM:.0f} µM, which releases {quantal_content_control:.0f} "
            "vesicles (an EPSP of {epsp_mV:.1f} mV); release grows as [Ca2+]o to the power "
            "{log_log_slope:.1f} at low Ca2+ (Dodge & Rahamimoff: about 4), and with the Ca2+ channels blocked "
            "nothing is released ({epsp_cd_block_mV:.1f} mV)."),
    headline=(Headline("peak_cai_uM", "Peak [Ca2+]i under the membrane", "µM"),
              Headline("cai_rise_after_spike_ms", "Ca2+ peak after the spike's peak", "ms"),
              Headline("release_probability", "Release probability per site"),
              Headline("quantal_content_control", "Vesicles released"),
              Headline("epsp_mV", "EPSP", "mV"),
              Headline("log_log_slope", "Slope of log(release) against log([Ca2+]o), low Ca2+"),
              Headline("release_ratio_half_ca", "Release at normal / at half the Ca2+"),
              Headline("epsp_cd_block_mV", "EPSP with Cd2+", "mV")),
    suggestions=(Suggestion("A sensor that needs one Ca2+ only: the resting Ca2+ alone empties the sites, spike or "
                            "no spike (needing four ions is what keeps release silent at rest)",
                            {"cooperativity": 1.0}),
                 Suggestion("Half the Cd2+ block: half the Ca2+ entry, about a fifteenth of the release (the fourth "
                            "power of a half is 1/16)", {"cd_block": 0.5}),
                 Suggestion("A low-Ca2+ bath (0.5 mM): the terminal still fires, release nearly stops",
                            {"cao": 0.5})),
    model_note=("A mammalian-like bouton (the textbook neuron's channels, at body temperature, 37 °C) with a GHK "
                "Ca2+ channel and a four-site Ca2+ sensor: the steps every chemical synapse shares."),
)
