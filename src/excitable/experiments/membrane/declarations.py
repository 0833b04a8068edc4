"""What the membrane experiments declare: question, parameters (units, bounds, sliders),
interventions, signals.

Ions, permeabilities and pumps, and what moves the membrane potential: resting-potential,
hyper-depolarization, permeability, pump-failure. Each protocol module imports its ``EXPERIMENT``
from here; this module imports nothing heavier than ``excitable.experiments.base`` (listing and
checking parameters needs no JAX).
"""

from __future__ import annotations

from excitable.experiments.base import (Experiment, Headline, Intervention, Param, Signal, Suggestion, decades,
                                       steps)
from excitable.experiments.common.params import temperature, time_step

FAMILY = "membrane"

CONCENTRATION = decades(0.1, 1000)  # mM
RELATIVE_PERMEABILITY = steps(0, 2, 0.01)

RESTING_POTENTIAL = Experiment(
    name="resting-potential",
    question="Why is the inside negative, by 60-70 mV?",
    family=FAMILY,
    params={
        "ki": Param(140.0, "mM", "[K+] inside", positive=True, slider=CONCENTRATION),
        "ko": Param(5.0, "mM", "[K+] outside", positive=True, slider=CONCENTRATION),
        "nai": Param(12.0, "mM", "[Na+] inside", positive=True, slider=CONCENTRATION),
        "nao": Param(145.0, "mM", "[Na+] outside", positive=True, slider=CONCENTRATION),
        "cli": Param(10.0, "mM", "[Cl-] inside", positive=True, slider=CONCENTRATION),
        "clo": Param(110.0, "mM", "[Cl-] outside", positive=True, slider=CONCENTRATION),
        "pk": Param(1.0, "", "relative K+ permeability", minimum=0, slider=RELATIVE_PERMEABILITY),
        "pna": Param(0.04, "", "relative Na+ permeability", minimum=0, slider=RELATIVE_PERMEABILITY),
        "pcl": Param(0.45, "", "relative Cl- permeability", minimum=0, slider=RELATIVE_PERMEABILITY),
        "temperature": temperature(37.0, "temperature"),
    },
    interventions=(Intervention("high K+ outside", {"ko": 50.0}, "raise [K+]o tenfold: the membrane "
                                "depolarizes toward the new EK"),),
    signals=(Signal("v (GHK permeabilities)", "mV", "a membrane with the GHK permeabilities"),
             Signal("v (K/Na/Cl conductances)", "mV", "the same membrane with chord conductances")),
    answer="Because at rest the membrane lets K+ through most easily and K+ leaks out down its gradient, "
           "leaving negative charge behind: rest ({rest_mV:.0f} mV) is a permeability-weighted compromise "
           "between E_K ({ek_mV:.0f} mV), E_Cl ({ecl_mV:.0f} mV) and E_Na ({ena_mV:+.0f} mV), far from E_Na "
           "because Na+ barely gets through.",
    headline=(Headline("rest_mV", "Resting potential (GHK)", "mV"),
              Headline("ek_mV", "K+ equilibrium potential E_K", "mV"),
              Headline("ena_mV", "Na+ equilibrium potential E_Na", "mV"),
              Headline("ecl_mV", "Cl- equilibrium potential E_Cl", "mV"),
              Headline("nernst_slope_mV_per_decade", "E_K's change per tenfold [K+] outside", "mV"),
              Headline("slope_at_high_ko_mV_per_decade", "Rest's change per tenfold [K+] at high [K+]", "mV")),
    suggestions=(Suggestion("Raise K+ outside tenfold, as in a damaged tissue: the membrane depolarizes towards "
                            "the new E_K", {"ko": 50.0}),
                 Suggestion("Make the membrane ten times more permeable to Na+: rest moves towards E_Na",
                            {"pna": 0.4}),
                 Suggestion("Close the Cl- channels: rest hardly moves, because E_Cl is close to it",
                            {"pcl": 0.0})),
    model_note="A mammalian neuron's ion concentrations at 37 °C with Hodgkin and Katz's (1949) relative "
               "permeabilities PK:PNa:PCl = 1:0.04:0.45: the closed forms (Nernst, GHK) and a membrane "
               "simulated with them agree.",
)

HYPER_DEPOLARIZATION_MODELS = ("passive", "hh", "textbook")
HYPER_DEPOLARIZATION = Experiment(
    name="hyper-depolarization",
    question="What makes the membrane more or less negative?",
    family=FAMILY,
    params={
        "model": Param("passive", "", "passive (leak only: Rm 20 kOhm cm2, rest -70 mV), hh or textbook", str,
                       HYPER_DEPOLARIZATION_MODELS),
        "temperature": temperature(None, "default: the model's own (passive 36, textbook 37, hh 6.3)"),
        "g": Param(1.0, "mS/cm2", "conductance of the opened channels", minimum=0, slider=steps(0, 10, 0.1)),
        "t_on": Param(20.0, "ms", "when the ligand arrives and the channels open", minimum=0,
                      slider=steps(0, 100, 1)),
        "duration": Param(50.0, "ms", "how long the ligand stays (the channels stay open)", positive=True,
                          slider=steps(1, 200, 1)),
        "tstop": Param(100.0, "ms", "simulated time", positive=True, slider=steps(20, 500, 10)),
        "e_k": Param(None, "mV", "K+ reversal potential (default: the model's EK; passive -90)",
                     slider=steps(-120, 0, 1)),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential (GABA_A receptors of mature neurons)",
                      slider=steps(-100, 0, 1)),
        "e_na": Param(None, "mV", "Na+ reversal potential (default: the model's ENa, +50)", slider=steps(0, 100, 1)),
        "test_amplitude": Param(2.0, "uA/cm2", "small test current pulses (before and during the opening)",
                                minimum=0, slider=steps(0, 10, 0.1)),
        "test_duration": Param(2.0, "ms", "duration of each test pulse", positive=True, slider=steps(0.5, 10, 0.5)),
        "dt": time_step(),
    },
    signals=(Signal("v, channels closed (mV)", "mV", "no channels opened"),
             Signal("v, * channels open (mV)", "mV", "K+, Cl- or Na+ channels opened"),
             Signal("v, Cl- channels, E = rest (shunt) (mV)", "mV", "Cl- channels at ECl = rest: shunting"),
             Signal("ligand current, * (uA/cm2)", "uA/cm2", "current through the opened channels"),
             Signal("open conductance (mS/cm2)", "mS/cm2", "conductance of the opened channels"),
             Signal("test current (uA/cm2)", "uA/cm2", "the small test pulses")),
    answer="Opening channels pulls V towards the equilibrium potential of the ions they pass: K+ channels "
           "move it by {delta_v_mV[0]:+.0f} mV and Cl- channels by {delta_v_mV[1]:+.0f} mV (more negative), "
           "Na+ channels by {delta_v_mV[3]:+.0f} mV (less negative); Cl- channels with E_Cl at rest move nothing, yet shrink the "
           "response to a test pulse to {test_response_ratio[2]:.2f} of its size (shunting).",
    headline=(Headline("rest_mV", "Resting potential", "mV"),
              Headline("input_resistance_rest_MOhm", "Input resistance, channels closed", "MΩ"),
              Headline("input_resistance_open_MOhm", "Input resistance, channels open", "MΩ"),
              Headline("test_response_closed_mV", "Response to the test pulse, channels closed", "mV")),
    suggestions=(Suggestion("Open fewer channels (0.2 mS/cm²): V moves less far towards each E", {"g": 0.2}),
                 Suggestion("Make E_Cl less negative (-60 mV, as in immature neurons): opening Cl- channels "
                            "now depolarizes", {"e_cl": -60.0}),
                 Suggestion("The textbook neuron, with voltage-gated channels: the same openings in a cell "
                            "that can fire", {"model": "textbook"})),
    model_note="A passive membrane (leak only, rest -70 mV), so that only the opened channels move V; "
               "model=textbook adds a typical neuron's voltage-gated channels, model=hh the squid axon's.",
)

PERMEABILITY = Experiment(
    name="permeability",
    question="What if Na+ and K+ permeability both increase?",
    family=FAMILY,
    params={
        "k_values": Param("1,2,5", "", "scale factors k, comma-separated (k > 0)", str),
        "temperature": temperature(37.0, "temperature of the GHK and passive parts (mammalian ions)"),
        "step_uA_cm2": Param(-0.5, "uA/cm2", "current step for R_in and tau (passive compartment)",
                             minimum=-50, maximum=50, slider=steps(-5, 5, 0.1)),
        "epsc_uA_cm2": Param(1.0, "uA/cm2", "EPSC-like current (5-ms pulse) on the passive compartment",
                             minimum=-50, maximum=50, slider=steps(-5, 5, 0.1)),
        "dt": time_step(maximum=0.1),
    },
    signals=(Signal("passive v, k = * (mV)", "mV", "the passive compartment, by scale factor k"),),
    answer="The resting potential stays where it was ({ghk_rest_all_scaled_mV[0]:.1f} mV: only the ratios of "
           "the permeabilities count), but the membrane gets leakier: at k = {k_values[2]:g} its input "
           "resistance falls from {passive_rin_MOhm[0]:.0f} to {passive_rin_MOhm[2]:.0f} MΩ and the same "
           "synaptic current makes a {passive_epsp_mV[2]:.1f}-mV EPSP instead of {passive_epsp_mV[0]:.1f} mV.",
    headline=(Headline("passive_rest_mV", "Resting potential, whatever k", "mV"),
              Headline("ghk_rest_pna_over_pk_20_mV", "Rest with PNa/PK = 20, as at a spike's peak", "mV")),
    suggestions=(Suggestion("Scale the permeabilities tenfold: the rest still stays, the EPSP shrinks further",
                            {"k_values": "1,10"}),
                 Suggestion("Double the synaptic current: the EPSP doubles at every k (a passive membrane is "
                            "linear)", {"epsc_uA_cm2": 2.0})),
    model_note="The GHK equation with a mammalian neuron's ions at 37 °C for the resting potential; Hodgkin and "
               "Huxley's squid axon (6.3 °C), whose leak is itself a mixture of Na+ and K+ permeabilities, for "
               "the spike.",
)

PUMP_FAILURE = Experiment(
    name="pump-failure",
    question="What if the Na+/K+ pump stops?",
    family=FAMILY,
    params={
        "pump_off_s": Param(10.0, "s", "time at which ouabain blocks the pump", minimum=0, slider=steps(0, 600, 1)),
        "tstop_s": Param(60.0, "s", "simulated time (up to 30 min)", positive=True, maximum=1800,
                         slider=steps(5, 1800, 5)),
        "rate_hz": Param(10.0, "Hz", "firing rate imposed by 1-ms pulses (0: no stimulus)", minimum=0,
                         maximum=100, slider=steps(0, 100, 1)),
        "block": Param(1.0, "", "fraction of pumps blocked from pump_off_s (ouabain; 0 none, 1 all)",
                       minimum=0, maximum=1, slider=steps(0, 1, 0.05)),
        "diameter_um": Param(4.0, "um", "axon diameter (thinner: concentrations change faster)",
                             positive=True, maximum=1000, slider=decades(0.5, 1000)),
        "stim_uA_cm2": Param(20.0, "uA/cm2", "pulse amplitude (about 2x threshold at rest)", minimum=0,
                             slider=steps(0, 100, 1)),
        "outside_um": Param(1.0, "um3/um2", "extracellular volume per membrane area (restricted space)",
                            positive=True, slider=decades(0.01, 100)),
        "tau_out_s": Param(1.0, "s", "time constant of K+ exchange between that space and the bath",
                           positive=True, slider=decades(0.01, 100)),
        "temperature": temperature(18.5, "temperature (HH rates scale by 3 per 10 degC)", minimum=0, maximum=30),
        "dt": time_step(maximum=0.1),
    },
    interventions=(Intervention("ouabain", {"block": 1.0}, "blocks every Na+/K+ pump from pump_off_s"),
                   Intervention("no ouabain", {"block": 0.0}, "the pumps keep working: the control")),
    signals=(Signal("ci:na", "mM", "[Na+] inside"), Signal("ci:k", "mM", "[K+] inside"),
             Signal("co:k", "mM", "[K+] in the restricted space outside"),
             Signal("ena", "mV", "Na+ reversal potential"), Signal("ek", "mV", "K+ reversal potential"),
             Signal("NaKPump.ipump", "uA/cm2", "pump current"),
             Signal("v_max", "mV", "highest V in each stretch (the spikes)"),
             Signal("v_min", "mV", "lowest V in each stretch (rest between spikes)")),
    answer="Nothing at once: V rises only {pump_electrogenic_mV:.0f} mV (the pump's own current), but every spike "
           "and the leaks let Na+ in and K+ out with nothing to carry them back; [Na+] inside climbs to "
           "{nai_end_mM:.0f} mM, E_Na and E_K move towards 0, rest depolarizes by {rest_drift_mV:.0f} mV and "
           "the spikes fail {time_to_failure_s:.0f} s after the pump stopped.",
    headline=(Headline("pump_electrogenic_mV", "The pump's own share of the resting potential", "mV"),
              Headline("time_to_failure_s", "From pump stop to the first failed spike", "s"),
              Headline("nai_end_mM", "[Na+] inside at the end", "mM"),
              Headline("ena_end_mV", "E_Na at the end", "mV"),
              Headline("ek_end_mV", "E_K at the end", "mV"),
              Headline("rest_drift_mV", "How far rest depolarized", "mV"),
              Headline("na_per_ap_fraction", "Fraction of the inside Na+ one spike adds", "")),
    suggestions=(Suggestion("Block half the pumps: the gradients run down more slowly", {"block": 0.5}),
                 Suggestion("No spikes, only the leaks: the gradients still run down, more slowly",
                            {"rate_hz": 0.0}),
                 Suggestion("A ten times thicker axon: ten times more inside per membrane area, so the "
                            "concentrations change ten times more slowly", {"diameter_um": 40.0})),
    model_note="A thin unmyelinated axon (4 µm) with HH channels at 18.5 °C and mammalian ion concentrations, "
               "so that the gradients run down in tens of seconds instead of the squid giant axon's hours.",
)
