"""What the membrane experiments declare: question, parameters (units, bounds, sliders),
interventions, signals.

Ions, permeabilities and pumps, and what moves the membrane potential: resting-potential,
hyper-depolarization, permeability, pump-failure. Each protocol module imports its ``EXPERIMENT``
from here; this module imports nothing heavier than ``excitable.experiments.base`` (listing and
checking parameters needs no JAX).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Intervention, Param, Signal, decades, steps
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
)

HYPER_DEPOLARIZATION_MODELS = ("passive", "hh", "textbook")
HYPER_DEPOLARIZATION = Experiment(
    name="hyper-depolarization",
    question="What makes the membrane more or less negative?",
    family=FAMILY,
    params={
        "model": Param("passive", "", "passive (leak only: Rm 20 kOhm cm2, rest -70 mV), hh or textbook", str,
                       HYPER_DEPOLARIZATION_MODELS),
        "temperature": temperature(None, "default: the model's own (passive and textbook 36, hh 6.3)"),
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
)
