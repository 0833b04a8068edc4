"""Declarations of the excitability experiments added with issue 16 (undershoot-recovery, neuron-shapes):
question, parameters (units, bounds, sliders), signals, the plain answer, headline numbers, suggestions.

Kept apart from ``declarations`` so that each module stays readable in one sitting; ``declarations``
re-exports them (``excitable.experiments.find_declaration`` looks there). Light like every declaration:
nothing heavier than ``excitable.experiments.base``.
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Headline, Intervention, Param, Signal, Suggestion, steps
from excitable.experiments.common.params import MODELS, temperature, time_step

FAMILY = "excitability"
ONSET = steps(0, 50, 0.5)  # ms: when a stimulus starts

UNDERSHOOT_RECOVERY = Experiment(
    name="undershoot-recovery",
    question="What is the undershoot for? (Na+ channels recover during it)",
    family=FAMILY,
    params={
        "model": Param("hh", "", "hh (squid axon, 6.3 degC: a deep undershoot) or textbook (mammalian, "
                       "37 degC)", str, MODELS),
        "temperature": temperature(None, "the channels' rates scale by 3 per 10 degC (Q10)",
                                   note="the model's own: 6.3 for hh, 37 for textbook"),
        "amplitude": Param(None, "uA/cm2", "the 1-ms pulse that fires the first spike (default: hh 20, "
                           "textbook 14: about 2x threshold)", positive=True, slider=steps(0.5, 100, 0.5)),
        "test_amplitude": Param(None, "uA/cm2", "the 1-ms test pulse (default: hh 12, textbook 10: fires a "
                                "rested cell)", positive=True, slider=steps(0.5, 100, 0.5)),
        "delay": Param(5.0, "ms", "onset of the first pulse", minimum=0, slider=ONSET),
        "first_interval": Param(4.0, "ms", "shortest interval, pulse onset to pulse onset", positive=True,
                                maximum=100, slider=steps(1, 100, 0.5)),
        "last_interval": Param(30.0, "ms", "longest interval", positive=True, maximum=200,
                               slider=steps(2, 200, 1)),
        "n_intervals": Param(8, "", "intervals tested (one pair of cells each)", int, minimum=2, maximum=30,
                             slider=steps(2, 30, 1)),
        "compare_after": Param(5.0, "ms", "h is compared this long after V falls back to rest", positive=True,
                               maximum=100, slider=steps(0.5, 100, 0.5)),
        "dt": time_step(),
    },
    signals=(Signal("v control *", "mV", "control: spike, undershoot and the test pulse"),
             Signal("v clamped *", "mV", "the undershoot clamped away (V held at rest)"),
             Signal("h control *", "", "Na+ inactivation gate h (1: all available), control"),
             Signal("h clamped *", "", "h with the undershoot clamped away")),
    quick={"n_intervals": 6},
    answer=("To reset the Na+ channels: during the undershoot ({undershoot_below_rest_mV:.1f} mV below rest) h "
            "recovers toward {h_inf_undershoot:.2f} with tau {tau_h_undershoot_ms:.1f} ms instead of toward "
            "{h_inf_rest:.2f} with {tau_h_rest_ms:.1f} ms at rest, so {compare_after_ms:g} ms after the spike "
            "{h_later_control:.2f} of the Na+ channels' h is open instead of {h_later_clamped:.2f} with the "
            "undershoot clamped away, and {test_spike_verdict}."),
    headline=(Headline("undershoot_below_rest_mV", "Undershoot below rest", "mV"),
              Headline("h_min", "h at its lowest (Na+ channels inactivated)"),
              Headline("tau_h_undershoot_ms", "h's recovery time constant in the undershoot", "ms"),
              Headline("tau_h_rest_ms", "h's recovery time constant at rest", "ms"),
              Headline("h_later_control", "h soon after the spike, with the undershoot"),
              Headline("h_later_clamped", "h soon after the spike, undershoot clamped away"),
              Headline("recovered_from_ms_control", "Test spikes fire from (with undershoot)", "ms"),
              Headline("recovered_from_ms_clamped", "Test spikes fire from (clamped)", "ms")),
    suggestions=(Suggestion("The textbook neuron: h recovers faster in its shallow undershoot, but its K+ "
                            "channels, still open, keep the test pulse from firing", {"model": "textbook"}),
                 Suggestion("A weaker test pulse: the cell needs longer to fire again", {"test_amplitude": 8.0}),
                 Suggestion("Warm the squid axon to 18.5 °C: everything recovers three times faster",
                            {"temperature": 18.5})),
    model_note=("The squid axon (HH 1952, 6.3 °C) by default: its deep undershoot and h_inf of 0.6 at rest show "
                "the undershoot's job plainly; the textbook mammalian neuron (37 °C) is one click away."),
)

NEURON_SHAPES = Experiment(
    name="neuron-shapes",
    question="What shapes and roles do neurons have?",
    family=FAMILY,
    params={
        "amplitude": Param(0.2, "nA", "the 50-ms current step at each cell's input site (a dendrite's tip, the "
                           "sensory ending)", minimum=0.0, maximum=5.0, slider=steps(0, 2, 0.01)),
        "dend_fraction": Param(0.1, "", "Na+ and K+ density of the dendrites, as a fraction of the soma's and "
                               "axon's", minimum=0.0, maximum=1.0, slider=steps(0, 1, 0.05)),
        "strychnine": Param(0.0, "", "reflex arc: fraction of the flexor's glycine receptors blocked "
                            "(strychnine), 0 none, 1 all", minimum=0.0, maximum=1.0, slider=steps(0, 1, 0.05)),
        "dt": time_step(maximum=0.05),
    },
    interventions=(Intervention("strychnine", {"strychnine": 1.0}, "blocks the glycine receptors: the interneuron "
                                "no longer inhibits the flexor, which fires on against the kick"),),
    signals=(Signal("* input", "mV", "V where the input arrives"), Signal("* soma", "mV", "V at the soma"),
             Signal("* output", "mV", "V at the axon's far end"),
             Signal("passive * soma", "mV", "a passive copy's soma: the input resistance"),
             Signal("reflex * soma", "mV", "the reflex arc: V at each cell's soma (sensory, interneuron, motor)"),
             Signal("reflex * output", "mV", "the reflex arc: V at each axon's far end")),
    answer=("Four shapes with the same channels: a sensory (pseudo-unipolar) neuron passes the spike from the "
            "skin straight past its soma to the spinal cord ({input_to_output_ms_pseudo_unipolar:.1f} ms), a "
            "bipolar one through its soma, a unipolar one beside it, and a multipolar motor neuron's big tree "
            "makes it the hardest to excite (input resistance {input_resistance_MOhm_multipolar:.0f} MΩ, "
            "against {input_resistance_MOhm_bipolar:.0f} MΩ for the bipolar cell). By role, in the knee-jerk "
            "reflex: the sensory spike reaches the spinal cord in {reflex_sensory_conduction_ms:.1f} ms, crosses "
            "one synapse ({reflex_synaptic_delay_extensor_ms:.2f} ms) to the extensor's motor neuron, which fires "
            "{reflex_extensor_spikes:d} spikes, and two, through an inhibitory interneuron, to the flexor's, "
            "which {reflex_flexor_verdict}: its spike count in the 30 ms after the tap is "
            "{reflex_flexor_spikes:d} (without the interneuron {reflex_flexor_spikes_without_inhibition:d})."),
    headline=(Headline("input_resistance_MOhm_unipolar", "Input resistance, unipolar", "MΩ"),
              Headline("input_resistance_MOhm_bipolar", "Input resistance, bipolar", "MΩ"),
              Headline("input_resistance_MOhm_pseudo_unipolar", "Input resistance, pseudo-unipolar", "MΩ"),
              Headline("input_resistance_MOhm_multipolar", "Input resistance, multipolar", "MΩ"),
              Headline("input_to_output_ms_pseudo_unipolar", "Sensory neuron: ending to spinal cord", "ms"),
              Headline("spikes_at_output_multipolar", "Motor neuron: spikes sent down the axon"),
              Headline("spikes_at_output_bipolar", "Bipolar neuron: spikes sent down the axon"),
              Headline("reflex_sensory_conduction_ms", "Reflex: sensory ending to spinal cord", "ms"),
              Headline("reflex_synaptic_delay_extensor_ms", "Reflex: synaptic delay, sensory to motor neuron",
                       "ms"),
              Headline("reflex_synaptic_delay_interneuron_ms", "Reflex: synaptic delay, sensory to interneuron",
                       "ms"),
              Headline("reflex_synaptic_delay_flexor_ms", "Reflex: synaptic delay, interneuron to flexor", "ms"),
              Headline("reflex_extensor_axon_end_ms", "Reflex: tap to the extensor's spike at its axon end",
                       "ms"),
              Headline("reflex_inhibition_after_excitation_ms", "Reflex: flexor inhibited after extensor excited",
                       "ms"),
              Headline("reflex_extensor_spikes", "Reflex: extensor motor neuron spikes"),
              Headline("reflex_flexor_spikes", "Reflex: flexor motor neuron spikes in the 30 ms after the tap"),
              Headline("reflex_flexor_spikes_without_inhibition", "Reflex: the same without the interneuron")),
    suggestions=(Suggestion("Dendrites as excitable as the axon: spikes start in the dendrites too",
                            {"dend_fraction": 1.0}),
                 Suggestion("A weaker input (0.1 nA): the large multipolar cell stays silent first",
                            {"amplitude": 0.1}),
                 Suggestion("Strychnine: the reflex loses its reciprocal inhibition and the flexor keeps firing "
                            "(strychnine poisoning: muscles contract against each other)", {"strychnine": 1.0})),
    model_note=("The textbook mammalian neuron's spike channels as first tuned, at 36 °C, in four invented but "
                "typical shapes: the same channels everywhere, so the differences come from the shape alone. (The "
                "cell retuned to 37 °C starts firing at about 350 Hz and one IPSP silences it for good, so the "
                "reflex's steady tone could not show; this experiment keeps the first tuning.) The reflex arc is "
                "built from them at a millimetre's scale: a person's axons are half a metre long and myelinated, "
                "so there conduction takes most of the knee jerk's 20-25 ms and the synapses under 2 ms."),
)
