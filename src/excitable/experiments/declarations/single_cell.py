"""What the single-compartment experiments declare: name, question, parameters (units, bounds).

A patch of membrane, one cell's worth of channels: action-potential, all-or-none, refractory-period,
gates-overlap, membrane-currents, undershoot, voltage-clamp, hyper-depolarization, neuron-types.
Each protocol module (``excitable.experiments.action_potential`` ...) imports its ``EXPERIMENT``
from here; this module imports nothing but ``excitable.experiments.base`` (see ``declarations``).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Param

#: The single-compartment models (``excitable.experiments.models``).
MODELS = ("hh", "textbook")

#: The parameters every single-compartment experiment shares.
MODEL_PARAMS = {
    "model": Param("hh", "", "hh (squid axon, 6.3 degC) or textbook (mammalian, 36 degC)", str, MODELS),
    "temperature": Param(None, "degC", "default: the model's own (hh 6.3, textbook 36)",
                         minimum=-10, maximum=60),
}
#: Teaching interventions on the voltage-gated channels.
DRUG_PARAMS = {
    "gNa_scale": Param(1.0, "", "multiply Na+ conductance (0 = TTX)", minimum=0),
    "gK_scale": Param(1.0, "", "multiply K+ conductance (0 = TEA)", minimum=0),
}

ACTION_POTENTIAL = Experiment(
    name="action-potential",
    question="What happens in each phase of the action potential?",
    params={
        **MODEL_PARAMS,
        "amplitude": Param(None, "uA/cm2", "stimulus current density (default about 2x threshold)"),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0),
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True),
        "tstop": Param(30.0, "ms", "simulated time", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        **DRUG_PARAMS,
    },
)

ALL_OR_NONE = Experiment(
    name="all-or-none",
    question="Why is the action potential all-or-none?",
    params={
        "model": Param("hh", "", "hh or textbook", str, MODELS),
        "temperature": Param(None, "degC", "default: the model's own", minimum=-10, maximum=60),
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0),
        "tstop": Param(30.0, "ms", "simulated time per trial", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        "max_amplitude": Param(200.0, "uA/cm2", "upper end of the threshold search", positive=True),
        "tolerance": Param(1e-4, "", "relative precision of the threshold bisection", positive=True),
        "n_sweep": Param(24, "", "stimulus amplitudes in the peak-vs-stimulus curve", int, minimum=4,
                         maximum=10000),  # one batch: 1e7 points took minutes, then XLA ran out of memory
    },
)

REFRACTORY_PERIOD = Experiment(
    name="refractory-period",
    question="Why can't a patch fire again at once?",
    params={
        **MODEL_PARAMS,
        "intervals": Param("", "ms", "comma-separated test intervals (onset to onset); default: 2-40 ms for "
                           "HH at 6.3 degC, scaled by the AP half-width otherwise", str),
        "conditioning": Param(2.0, "x threshold", "conditioning pulse amplitude, times the single-pulse "
                              "threshold", positive=True),
        "cap": Param(10.0, "x threshold", "strongest test pulse tried, times the single-pulse threshold",
                     minimum=1.0),
        "pulse": Param(1.0, "ms", "duration of both pulses", positive=True),
        "delay": Param(5.0, "ms", "onset of the conditioning pulse", minimum=0),
        "tolerance": Param(1e-3, "", "precision of the threshold bisection, relative to the control "
                           "threshold", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        **DRUG_PARAMS,
    },
)

GATES_OVERLAP = Experiment(
    name="gates-overlap",
    question="Are Na+ and K+ gates ever open at the same time?",
    params={
        **MODEL_PARAMS,
        "compare_temperature": Param(18.5, "degC", "a second temperature for comparison (the squid axon's "
                                     "in HH's propagation experiments)", minimum=-10, maximum=60),
        "amplitude": Param(2.0, "x threshold", "stimulus, times the 1-ms pulse threshold at each temperature",
                           positive=True),
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0),
        "window": Param(30.0, "ms", "time after onset over which the Na+ charge is integrated", positive=True),
        "level": Param(0.1, "", "a gate population counts as open above this fraction of its peak",
                       minimum=0.001, maximum=0.99),
        "dt": Param(0.01, "ms", "time step (finer than NEURON's 0.025: the 18.5-degC spike lasts ~0.4 ms; "
                    "at 0.025 its Na+ charge ratio is 4 % high)", positive=True),
        **DRUG_PARAMS,
    },
)

MEMBRANE_CURRENTS = Experiment(
    name="membrane-currents",
    question="Why is total current outward in the falling phase although INa is inward?",
    params={
        **MODEL_PARAMS,
        "amplitude": Param(None, "uA/cm2", "stimulus current density (default about 2x threshold)"),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0),
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True),
        "probe_v": Param(None, "mV", "a voltage on the falling phase at which the currents are also read "
                         "(interpolated); default: the V of the steepest fall (HH: -59.0 mV)"),
        "tstop": Param(25.0, "ms", "simulated time", positive=True),
        "dt": Param(0.01, "ms", "time step (at NEURON's 0.025, backward Euler makes the steepest fall "
                    "4 % too slow)", positive=True),
        **DRUG_PARAMS,
    },
)

UNDERSHOOT = Experiment(
    name="undershoot",
    question="What is the undershoot for?",
    params={
        **MODEL_PARAMS,
        "slow": Param(2.0, "x tau_n", "K+ gate time constant factor of the 'slowed' cell", positive=True),
        "fast": Param(0.7, "x tau_n", "K+ gate time constant factor of the 'faster' cell", positive=True),
        "pulse_amplitude": Param(None, "uA/cm2", "single 1-ms pulse (default: hh 20, about 3x its threshold; "
                                 "textbook 15)", positive=True),
        "step_amplitude": Param(None, "uA/cm2", "long step for repetitive firing (default: hh 20, the spec's; "
                                "textbook 1.0, about 2.4x its rheobase)", positive=True),
        "step_duration": Param(300.0, "ms", "duration of the long step", positive=True),
        "delay": Param(5.0, "ms", "onset of both stimuli", minimum=0),
        "dt": Param(0.025, "ms", "time step", positive=True),
        "gNa_scale": Param(1.0, "", "multiply Na+ conductance", minimum=0),
        "gK_scale": Param(1.0, "", "multiply the delayed-rectifier K+ conductance (TEA < 1)", minimum=0),
    },
)

VOLTAGE_CLAMP = Experiment(
    name="voltage-clamp",
    question="How do voltage-gated Na+ and K+ channels respond to a voltage step?",
    params={
        **MODEL_PARAMS,
        "holding": Param(-65.0, "mV", "holding potential before and after the step"),
        "step_min": Param(10.0, "mV", "smallest step above the holding potential"),
        "step_max": Param(130.0, "mV", "largest step (130 reaches +65 mV, beyond ENa, so INa reverses)"),
        "step_size": Param(10.0, "mV", "spacing of the steps", positive=True),
        "probe": Param(0.0, "mV", "an extra step level, used for the Na+ inactivation time constant"),
        "duration": Param(20.0, "ms", "duration of each step", positive=True),
        "hold": Param(5.0, "ms", "time at the holding potential before the step", minimum=0),
        "rs": Param(1e-3, "MOhm", "series resistance of the clamp (smaller: closer to an ideal clamp)",
                    positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        **DRUG_PARAMS,
    },
)

HYPER_DEPOLARIZATION_MODELS = ("passive", "hh", "textbook")
HYPER_DEPOLARIZATION = Experiment(
    name="hyper-depolarization",
    question="What makes the membrane more or less negative?",
    params={
        "model": Param("passive", "", "passive (leak only: Rm 20 kOhm cm2, rest -70 mV), hh or textbook", str,
                       HYPER_DEPOLARIZATION_MODELS),
        "temperature": Param(None, "degC", "default: the model's own (passive and textbook 36, hh 6.3)",
                             minimum=-10, maximum=60),
        "g": Param(1.0, "mS/cm2", "conductance of the opened channels", minimum=0),
        "t_on": Param(20.0, "ms", "when the ligand arrives and the channels open", minimum=0),
        "duration": Param(50.0, "ms", "how long the ligand stays (the channels stay open)", positive=True),
        "tstop": Param(100.0, "ms", "simulated time", positive=True),
        "e_k": Param(None, "mV", "K+ reversal potential (default: the model's EK; passive -90)"),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential (GABA_A receptors of mature neurons)"),
        "e_na": Param(None, "mV", "Na+ reversal potential (default: the model's ENa, +50)"),
        "test_amplitude": Param(2.0, "uA/cm2", "small test current pulses (before and during the opening)",
                                minimum=0),
        "test_duration": Param(2.0, "ms", "duration of each test pulse", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
    },
)

NEURON_TYPES = Experiment(
    name="neuron-types",
    question="What kinds of neurons are there?",
    params={
        "step": Param(2.0, "x rheobase", "the step shown for every cell, times its own 1-s rheobase",
                      positive=True),
        "duration": Param(1000.0, "ms", "duration of every step", positive=True),
        "max_multiple": Param(3.0, "x rheobase", "the f-I curves run from 0.5x to this", minimum=1.0),
        "stimulus_decades": Param(1.5, "decades", "range of stimulus intensities for the sensory neuron",
                                  minimum=0.5, maximum=3.0),
        "temperature": Param(36.0, "degC", "temperature of every cell (Pospischil et al. 2008: 36)",
                             minimum=-10, maximum=60),
        "tolerance": Param(0.01, "", "relative precision of the rheobase search", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
    },
)
