"""What the excitability experiments declare: question, parameters (units, bounds, sliders),
interventions, signals.

A patch of membrane, one cell's worth of channels, and how it fires: action-potential, all-or-none,
refractory-period, gates-overlap, membrane-currents, undershoot, voltage-clamp, neuron-types.
Each protocol module (``excitable.experiments.excitability.action_potential`` ...) imports its
``EXPERIMENT`` from here; this module imports nothing heavier than ``excitable.experiments.base``
(listing and checking parameters needs no JAX).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Headline, Param, Signal, Suggestion, decades, steps
from excitable.experiments.common.params import (DRUG_PARAMS, DRUGS, I_STIM, MODEL_PARAMS, MODELS, PRONASE,
                                                 PRONASE_PARAM, V, temperature, time_step)

FAMILY = "excitability"

ONSET = steps(0, 50, 0.5)  # ms: when a stimulus starts
PULSE = steps(0.1, 20, 0.1)  # ms: a brief current pulse
AMPLITUDE = steps(0, 100, 0.5)  # uA/cm2: a stimulus current density
GATES = (Signal("*.m", "", "Na+ activation gate"), Signal("*.h", "", "Na+ inactivation gate"),
         Signal("*.n", "", "K+ activation gate"))
CURRENTS = (Signal("*.ina", "uA/cm2", "Na+ current (inward < 0)"),
            Signal("*.ik", "uA/cm2", "K+ current (outward > 0)"),
            Signal("i_ion", "uA/cm2", "total ionic current"),
            Signal("i_cap", "uA/cm2", "capacitive current (C dV/dt)"))

#: The one-pulse stimulus of action-potential and membrane-currents.
ONE_PULSE = {
    "amplitude": Param(None, "uA/cm2", "stimulus current density (default about 2x threshold)",
                       slider=AMPLITUDE),
    "delay": Param(5.0, "ms", "stimulus onset", minimum=0, slider=ONSET),
    "pulse": Param(1.0, "ms", "stimulus duration", positive=True, slider=PULSE),
}

#: A typical neuron's question gets the textbook mammalian neuron by default (issue 16, item 4).
TEXTBOOK_FIRST = {**MODEL_PARAMS, "model": Param("textbook", "", "textbook (mammalian, 37 degC: a typical "
                                                 "neuron) or hh (squid axon, 6.3 degC)", str, MODELS)}

ACTION_POTENTIAL = Experiment(
    name="action-potential",
    question="What happens in each phase of the action potential?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        **ONE_PULSE,
        "tstop": Param(30.0, "ms", "simulated time", positive=True, slider=steps(5, 200, 5)),
        "dt": time_step(),
        **DRUG_PARAMS,
        **PRONASE_PARAM,
    },
    interventions=(*DRUGS, PRONASE),
    signals=(V, I_STIM, *GATES, Signal("*.gna", "mS/cm2", "Na+ conductance"),
             Signal("*.gk", "mS/cm2", "K+ conductance"), *CURRENTS),
    batches=True,
    answer="Na+ channels open and V shoots from rest ({rest_mV:.0f} mV) past threshold ({threshold_mV:.0f} mV) "
           "to {peak_mV:+.0f} mV; then the Na+ channels inactivate and K+ channels open, so V falls again "
           "(the spike is {half_width_ms:.1f} ms wide at half height) and undershoots to {undershoot_mV:.0f} mV "
           "before it recovers.",
    headline=(Headline("rest_mV", "Resting potential", "mV"),
              Headline("threshold_mV", "Threshold (where V starts to rise by itself)", "mV"),
              Headline("peak_mV", "Peak", "mV"),
              Headline("half_width_ms", "Width at half height", "ms"),
              Headline("undershoot_mV", "Undershoot (lowest V after the spike)", "mV"),
              Headline("max_rise_mV_ms", "Fastest rise", "mV/ms")),
    suggestions=(Suggestion("Block half the K+ channels (TEA): the falling phase slows and the spike lasts "
                            "longer", {"gK_scale": 0.5}),
                 Suggestion("Block the Na+ channels (TTX): no spike at all, only the stimulus's bump",
                            {"gNa_scale": 0.0}),
                 Suggestion("Cool the cell to 26 °C: every gate is slower and the spike more than twice as wide",
                            {"temperature": 26.0}),
                 Suggestion("Hodgkin and Huxley's squid axon at 6.3 °C: the same phases, slower",
                            {"model": "hh"})),
    model_note="The textbook mammalian neuron (Pospischil et al. 2008, tuned) at body temperature, 37 °C: "
               "rest, threshold and peak are those a textbook quotes for a typical neuron. "
               "model=hh gives Hodgkin and Huxley's squid axon at 6.3 °C.",
)

ALL_OR_NONE = Experiment(
    name="all-or-none",
    question="Why is the action potential all-or-none?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True, slider=PULSE),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0, slider=ONSET),
        "tstop": Param(30.0, "ms", "simulated time per trial", positive=True, slider=steps(5, 200, 5)),
        "dt": time_step(),
        "max_amplitude": Param(200.0, "uA/cm2", "upper end of the threshold search", positive=True,
                               slider=steps(10, 1000, 10)),
        "tolerance": Param(1e-4, "", "relative precision of the threshold bisection", positive=True,
                           slider=decades(1e-6, 0.1)),
        "n_sweep": Param(24, "", "stimulus amplitudes in the peak-vs-stimulus curve", int, minimum=4,
                         maximum=10000,  # one batch: 1e7 points took minutes, then XLA ran out of memory
                         slider=steps(4, 200, 1)),
    },
    signals=(Signal("v at * x threshold (mV)", "mV", "responses just below and above threshold"),),
    answer="Because the upstroke feeds itself: a 1-ms pulse below {threshold_amplitude_uA_cm2:.1f} µA/cm² "
           "gives only a bump (at most {subthreshold_max_peak_mV:.0f} mV), and every pulse above it gives the "
           "full spike, the peaks within {suprathreshold_peak_range_mV:.0f} mV of each other however strong "
           "the pulse.",
    headline=(Headline("threshold_amplitude_uA_cm2", "Threshold stimulus (1-ms pulse)", "µA/cm²"),
              Headline("subthreshold_max_peak_mV", "Highest V without a spike", "mV"),
              Headline("suprathreshold_peak_range_mV", "Spread of the spike peaks above threshold", "mV")),
    suggestions=(Suggestion("A shorter pulse (0.2 ms) needs more current to reach threshold, but the spike is "
                            "the same", {"pulse": 0.2}),
                 Suggestion("A longer pulse (5 ms) needs less current", {"pulse": 5.0}),
                 Suggestion("Hodgkin and Huxley's squid axon: the same jump, at its own threshold",
                            {"model": "hh"})),
    model_note="The textbook mammalian neuron at 37 °C: all-or-none is a property of every neuron, shown on a "
               "typical one; model=hh gives the squid axon (threshold 6.93 µA/cm² for a 1-ms pulse).",
)

REFRACTORY_PERIOD = Experiment(
    name="refractory-period",
    question="Why can't a patch fire again at once?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        "intervals": Param("", "ms", "comma-separated test intervals (onset to onset); default: 2-40 ms for "
                           "HH at 6.3 degC, scaled by the AP half-width otherwise, then longer ones (to 11x the "
                           "last) while the threshold is still more than 5 % up", str),
        "conditioning": Param(2.0, "x threshold", "conditioning pulse amplitude, times the single-pulse "
                              "threshold", positive=True, slider=steps(1, 10, 0.1)),
        "cap": Param(10.0, "x threshold", "strongest test pulse tried, times the single-pulse threshold",
                     minimum=1.0, slider=steps(1, 50, 0.5)),
        "pulse": Param(1.0, "ms", "duration of both pulses", positive=True, slider=PULSE),
        "delay": Param(5.0, "ms", "onset of the conditioning pulse", minimum=0, slider=ONSET),
        "tolerance": Param(1e-3, "", "precision of the threshold bisection, relative to the control "
                           "threshold", positive=True, slider=decades(1e-5, 0.1)),
        "dt": time_step(),
        **DRUG_PARAMS,
        **PRONASE_PARAM,
    },
    interventions=(*DRUGS, PRONASE),
    signals=(Signal("v conditioning only (mV)", "mV", "the conditioning spike alone"),
             Signal("v test at * ms, at threshold (mV)", "mV", "test responses at threshold, by interval"),
             Signal("h (Na+ inactivation gate)", "", "Na+ channels not inactivated"),
             Signal("n (K+ activation gate)", "", "K+ channels open")),
    quick={"tolerance": 1e-2},
    answer=("Because its Na+ channels are inactivated: for {absolute_refractory_ms:.1f} ms after a spike no "
            "stimulus fires it (the absolute refractory period); after that a stronger one is needed, twice "
            "the usual threshold at {interval_2x_fires_ms:.1f} ms, and the threshold is back within 5 % of "
            "normal only after {relative_refractory_ms:.0f} ms (the relative refractory period), once the Na+ "
            "inactivation gates (h) have recovered and the K+ channels have closed."),
    headline=(Headline("absolute_refractory_ms", "Absolute refractory period", "ms"),
              Headline("relative_refractory_ms", "Relative refractory period", "ms"),
              Headline("interval_2x_fires_ms", "Interval at which twice the threshold fires", "ms"),
              Headline("control_threshold_uA_cm2", "Threshold of a single pulse", "µA/cm²"),
              Headline("h_at_check", "Na+ channels not inactivated (h) then")),
    suggestions=(Suggestion("The squid axon at 6.3 °C: slow gates, a long refractory period", {"model": "hh"}),
                 Suggestion("Warm the cell to 40 °C: shorter refractory periods", {"temperature": 40.0}),
                 Suggestion("Block half the K+ channels (TEA)", {"gK_scale": 0.5})),
    model_note=("The textbook mammalian neuron at 37 °C: an absolute refractory period of 1-2 ms, as "
                "textbooks say; its slow M-type K+ current keeps the threshold a little raised for ~100 ms "
                "(a medium afterhyperpolarization), so the relative period is long. model=hh gives the squid "
                "axon's at 6.3 °C."),
)

GATES_OVERLAP = Experiment(
    name="gates-overlap",
    question="Are Na+ and K+ gates ever open at the same time?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        "compare_temperature": temperature(18.5, "a second temperature for comparison (the squid axon's "
                                           "in HH's propagation experiments)"),
        "amplitude": Param(2.0, "x threshold", "stimulus, times the 1-ms pulse threshold at each temperature",
                           positive=True, slider=steps(1, 10, 0.1)),
        "pulse": Param(1.0, "ms", "stimulus duration", positive=True, slider=PULSE),
        "delay": Param(5.0, "ms", "stimulus onset", minimum=0, slider=ONSET),
        "window": Param(30.0, "ms", "time after onset over which the Na+ charge is integrated", positive=True,
                        slider=steps(5, 100, 1)),
        "level": Param(0.1, "", "a gate population counts as open above this fraction of its peak",
                       minimum=0.001, maximum=0.99, slider=steps(0.01, 0.9, 0.01)),
        "dt": time_step(0.01, "time step (finer than NEURON's 0.025: the 18.5-degC spike lasts ~0.4 ms; "
                        "at 0.025 its Na+ charge ratio is 4 % high)"),
        **DRUG_PARAMS,
        **PRONASE_PARAM,
    },
    interventions=(*DRUGS, PRONASE),
    signals=(V, Signal("open Na+ (m^3 h)", "", "Na+ channel open probability"),
             Signal("open K+ (n^4)", "", "K+ channel open probability"),
             Signal("v at compare temperature (mV)", "mV", "the same spike at compare_temperature"),
             Signal("open Na+ at compare temperature", "", "m^3 h at compare_temperature"),
             Signal("open K+ at compare temperature", "", "n^4 at compare_temperature"), I_STIM),
    answer=("Yes: for {overlap_ms:.2f} ms around the peak both the Na+ and the K+ channels are open, Na+ "
            "flowing in while K+ flows out, so the Na+ that enters is {na_charge_ratio:.1f} times the minimum "
            "needed to charge the membrane."),
    headline=(Headline("overlap_ms", "Time both kinds of channel are open", "ms"),
              Headline("peak_na_open", "Peak Na+ open probability (m³h)"),
              Headline("peak_k_open", "Peak K+ open probability (n⁴)"),
              Headline("na_charge_uC_cm2", "Na+ charge per spike", "µC/cm²"),
              Headline("na_charge_ratio", "Na+ charge / minimum (C × ΔV)")),
    suggestions=(Suggestion("The squid axon at 6.3 °C: slow gates, a long overlap, much wasted Na+",
                            {"model": "hh"}),
                 Suggestion("Warm the cell to 40 °C: faster gates, a shorter overlap", {"temperature": 40.0}),
                 Suggestion("Block half the K+ channels (TEA): the overlap changes, the spike widens",
                            {"gK_scale": 0.5})),
    model_note=("The textbook mammalian neuron at 37 °C: the question is about a typical neuron; model=hh "
                "gives the squid axon, where the overlap is longest."),
)

MEMBRANE_CURRENTS = Experiment(
    name="membrane-currents",
    question="Why is total current outward in the falling phase although INa is inward?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        **ONE_PULSE,
        "probe_v": Param(None, "mV", "a voltage on the falling phase at which the currents are also read "
                         "(interpolated); default: the V of the steepest fall (HH: -59.0 mV)",
                         slider=steps(-80, 40, 0.5)),
        "tstop": Param(25.0, "ms", "simulated time", positive=True, slider=steps(5, 200, 5)),
        "dt": time_step(0.01, "time step (at NEURON's 0.025, backward Euler makes the steepest fall "
                        "4 % too slow)"),
        **DRUG_PARAMS,
        **PRONASE_PARAM,
    },
    interventions=(*DRUGS, PRONASE),
    signals=(V, Signal("I_na", "uA/cm2", "Na+ current (inward < 0)"),
             Signal("I_k", "uA/cm2", "K+ currents (outward > 0)"), Signal("I_leak", "uA/cm2", "leak current"),
             *CURRENTS[2:], I_STIM),
    batches=True,
    answer=("Because IK outgrows INa: at the steepest fall Na+ still flows in ({INa_at_steepest_fall_uA_cm2:.0f} "
            "µA/cm²) but K+ flows out ({IK_at_steepest_fall_uA_cm2:+.0f} µA/cm²), so the net ionic current is "
            "{I_ion_at_steepest_fall_uA_cm2:+.0f} µA/cm², outward, and discharges the membrane."),
    headline=(Headline("INa_at_steepest_fall_uA_cm2", "INa at the steepest fall", "µA/cm²"),
              Headline("IK_at_steepest_fall_uA_cm2", "IK at the steepest fall", "µA/cm²"),
              Headline("I_ion_at_steepest_fall_uA_cm2", "Net ionic current there", "µA/cm²"),
              Headline("steepest_fall_dvdt_mV_ms", "Fastest fall of V", "mV/ms"),
              Headline("steepest_fall_v_mV", "V at the steepest fall", "mV")),
    suggestions=(Suggestion("Block half the K+ channels (TEA): IK is smaller, the fall slower", {"gK_scale": 0.5}),
                 Suggestion("The squid axon (HH, 6.3 °C)", {"model": "hh"}),
                 Suggestion("Block the Na+ channels (TTX): no spike, nothing falls", {"gNa_scale": 0.0})),
    model_note=("The textbook mammalian neuron at 37 °C: the currents of a typical neuron's spike; model=hh "
                "gives the squid axon's."),
)

UNDERSHOOT = Experiment(
    name="undershoot",
    question="What is the undershoot for?",
    family=FAMILY,
    params={
        **TEXTBOOK_FIRST,
        "slow": Param(2.0, "x tau_n", "K+ gate time constant factor of the 'slowed' cell", positive=True,
                      slider=steps(1, 5, 0.1)),
        "fast": Param(0.7, "x tau_n", "K+ gate time constant factor of the 'faster' cell", positive=True,
                      slider=steps(0.1, 1, 0.05)),
        "pulse_amplitude": Param(None, "uA/cm2", "single 1-ms pulse (default: hh 20, about 3x its threshold; "
                                 "textbook 15)", positive=True, slider=steps(0.5, 100, 0.5)),
        "step_amplitude": Param(None, "uA/cm2", "long step for repetitive firing (default: hh 20, the spec's; "
                                "textbook 1.0, about 2.7x its rheobase)", positive=True, slider=steps(0.1, 50, 0.1)),
        "step_duration": Param(300.0, "ms", "duration of the long step", positive=True, slider=steps(50, 2000, 10)),
        "delay": Param(5.0, "ms", "onset of both stimuli", minimum=0, slider=ONSET),
        "dt": time_step(),
        "gNa_scale": Param(1.0, "", "multiply Na+ conductance", minimum=0, slider=steps(0, 2, 0.05)),
        "gK_scale": Param(1.0, "", "multiply the delayed-rectifier K+ conductance (TEA < 1)", minimum=0,
                          slider=steps(0, 2, 0.05)),
    },
    interventions=DRUGS,
    signals=(Signal("v single spike, * (mV)", "mV", "one spike: control, slowed and faster K+ gate"),
             Signal("n single spike, *", "", "K+ activation gate n during that spike"),
             Signal("v long step, * (mV)", "mV", "repetitive firing during the long step")),
    answer=("It resets the cell and sets its pace: the K+ channels that close slowly after a spike pull V "
            "{undershoot_depth_mV_control:.1f} mV below rest for {undershoot_duration_ms_control:.0f} ms, while "
            "the Na+ channels recover; with K+ gates twice as slow it is {undershoot_depth_mV_slowed:.1f} mV "
            "deep and the cell fires {rate_hz_slowed:.0f} instead of {rate_hz_control:.0f} spikes/s."),
    headline=(Headline("undershoot_depth_mV_control", "Undershoot below rest", "mV"),
              Headline("undershoot_duration_ms_control", "Undershoot duration", "ms"),
              Headline("rate_hz_control", "Firing rate under the step", "spikes/s"),
              Headline("undershoot_depth_mV_slowed", "Undershoot, K+ gate 2x slower", "mV"),
              Headline("rate_hz_slowed", "Firing rate, K+ gate 2x slower", "spikes/s"),
              Headline("rate_hz_faster", "Firing rate, K+ gate faster", "spikes/s")),
    suggestions=(Suggestion("Slow the K+ gate even more (3x): a longer undershoot, slower firing", {"slow": 3.0}),
                 Suggestion("The squid axon (HH, 6.3 °C): V already near E_K, a shallow undershoot",
                            {"model": "hh"}),
                 Suggestion("A stronger step: the undershoot shortens the interval less", {"step_amplitude": 2.0})),
    model_note=("The textbook mammalian neuron at 37 °C: a typical neuron's undershoot (about 6 mV below "
                "rest); model=hh gives the squid axon's."),
)

VOLTAGE_CLAMP = Experiment(
    name="voltage-clamp",
    question="How do voltage-gated Na+ and K+ channels respond to a voltage step?",
    family=FAMILY,
    params={
        **MODEL_PARAMS,
        "holding": Param(-65.0, "mV", "holding potential before and after the step", slider=steps(-100, -40, 1)),
        "step_min": Param(10.0, "mV", "smallest step above the holding potential", slider=steps(-50, 150, 5)),
        "step_max": Param(130.0, "mV", "largest step (130 reaches +65 mV, beyond ENa, so INa reverses)",
                          slider=steps(-50, 150, 5)),
        "step_size": Param(10.0, "mV", "spacing of the steps", positive=True, slider=steps(1, 50, 1)),
        "probe": Param(0.0, "mV", "an extra step level, used for the Na+ inactivation time constant",
                       slider=steps(-60, 60, 1)),
        "duration": Param(20.0, "ms", "duration of each step", positive=True, slider=steps(1, 100, 1)),
        "hold": Param(5.0, "ms", "time at the holding potential before the step", minimum=0,
                      slider=steps(0, 50, 0.5)),
        "rs": Param(1e-3, "MOhm", "series resistance of the clamp (smaller: closer to an ideal clamp)",
                    positive=True, slider=decades(1e-6, 1)),
        "dt": time_step(),
        **DRUG_PARAMS,
    },
    interventions=DRUGS,
    signals=(Signal("v at * (mV)", "mV", "clamped membrane potential, by step level"),
             Signal("INa at * (uA/cm2)", "uA/cm2", "Na+ current, by step level"),
             Signal("IK at * (uA/cm2)", "uA/cm2", "K+ current, by step level"),
             Signal("gNa at * (mS/cm2)", "mS/cm2", "Na+ conductance, by step level"),
             Signal("gK at * (mS/cm2)", "mS/cm2", "K+ conductance, by step level")),
    answer="Na+ channels open within {probe_peak_ina_time_ms:.2f} ms of a step to 0 mV and then close by "
           "themselves although V stays up (inactivation, time constant {probe_inactivation_tau_ms:.2f} ms); "
           "K+ channels open more slowly and stay open; the Na+ current reverses at {ina_reversal_mV:.1f} mV, "
           "E_Na.",
    headline=(Headline("probe_peak_ina_time_ms", "Time to the Na+ current's peak (step to 0 mV)", "ms"),
              Headline("probe_peak_ina_uA_cm2", "Peak Na+ current at 0 mV (inward < 0)", "µA/cm²"),
              Headline("probe_inactivation_tau_ms", "Na+ inactivation time constant at 0 mV", "ms"),
              Headline("ina_reversal_mV", "Na+ current reverses at", "mV")),
    suggestions=(Suggestion("Block the Na+ channels (TTX): only the K+ current is left, as when Hodgkin and "
                            "Huxley separated the two", {"gNa_scale": 0.0}),
                 Suggestion("Block the K+ channels (TEA): only the Na+ current is left", {"gK_scale": 0.0}),
                 Suggestion("Warm the axon by 10 °C: every gate opens and closes about three times faster",
                            {"temperature": 16.3}),
                 Suggestion("The textbook mammalian neuron's channels under the same clamp",
                            {"model": "textbook"})),
    model_note="Hodgkin and Huxley's squid giant axon at 6.3 °C: this is their own experiment (1952), and the "
               "dots are their equations; model=textbook clamps a typical mammalian neuron's channels.",
)

NEURON_TYPES = Experiment(
    name="neuron-types",
    question="What kinds of neurons are there?",
    family=FAMILY,
    params={
        "step": Param(2.0, "x rheobase", "the step shown for every cell, times its own rheobase (for a step this long)",
                      positive=True, slider=steps(0.5, 5, 0.1)),
        # Half a second shows adaptation, bursts and steady firing alike, at half the cost of 1 s (the
        # tour's slowest experiment at 1 s: 14 s warm); the tests measure every pattern at 500 ms.
        "duration": Param(500.0, "ms", "duration of every step", positive=True, slider=steps(100, 3000, 50)),
        "max_multiple": Param(3.0, "x rheobase", "the f-I curves run from 0.5x to this", minimum=1.0,
                              slider=steps(1, 10, 0.5)),
        "stimulus_decades": Param(1.5, "decades", "range of stimulus intensities for the sensory neuron",
                                  minimum=0.5, maximum=3.0, slider=steps(0.5, 3, 0.1)),
        "temperature": temperature(36.0, "temperature of every cell (Pospischil et al. 2008: 36)"),
        "tolerance": Param(0.01, "", "relative precision of the rheobase search", positive=True,
                           slider=decades(1e-4, 0.1)),
        "dt": time_step(),
    },
    signals=(Signal("v, * (mV)", "mV", "each cell type's response to its step"),),
    quick={"duration": 500.0, "tolerance": 0.02},
    answer="Many, and their channels decide how they fire: under the same relative step a regular-spiking "
           "pyramidal cell slows down (its last interval {adaptation_ratio[0]:.1f} times its first), a "
           "fast-spiking interneuron fires {rate_hz[1]:.0f} spikes/s without slowing, Ca2+ channels make other "
           "cells burst, and a sensory neuron's rate follows its stimulus over {sensory_monotonic_decades:.1f} "
           "decades.",
    headline=(Headline("sensory_monotonic_decades", "Range of stimuli a sensory neuron's rate follows",
                       "decades"),),
    suggestions=(Suggestion("A stronger step (4x rheobase): every type fires faster, each in its own pattern",
                            {"step": 4.0}),
                 Suggestion("Shorter steps (300 ms): adaptation has less time to show", {"duration": 300.0})),
    model_note="Pospischil et al. (2008) models of cortical cell types at 36 °C, with a motor neuron and a "
               "sensory neuron built the same way: typical mammalian neurons.",
)

# The experiments added with issue 16, declared in their own module (this one stays under 400 lines).
from excitable.experiments.excitability.more_declarations import NEURON_SHAPES, UNDERSHOOT_RECOVERY  # noqa: E402,F401
