"""What the synapse and network experiments declare: question, parameters (units, bounds, sliders),
interventions, signals.

synapse-speed, synaptic-transmission, excitation-inhibition, receptor-types, transmitter-clearance,
epilepsy. Each protocol module imports its ``EXPERIMENT`` from here; this module imports nothing
heavier than ``excitable.experiments.base`` (listing and checking parameters needs no JAX).
"""

from __future__ import annotations

from excitable.experiments.base import (Experiment, Headline, Intervention, Param, Signal, Suggestion, decades,
                                        steps)
from excitable.experiments.common.params import temperature, time_step

FAMILY = "synapses"

FRACTION = steps(0, 1, 0.05)  # a fraction of receptors blocked

SYNAPSE_SPEED = Experiment(
    name="synapse-speed",
    question="How do synapses affect how fast a signal travels?",
    family=FAMILY,
    params={
        "n_neurons": Param(4, "", "neurons in the chain (synapses = n - 1)", int, minimum=2, maximum=10,
                           slider=steps(2, 10, 1)),
        "axon_length": Param(1000.0, "um", "axon of each chain neuron (the single axon is n times longer)",
                             minimum=100.0, maximum=5000.0, slider=steps(100, 5000, 100)),
        "release_delay": Param(0.5, "ms", "terminal 0-mV crossing -> release (Ca2+ entry, vesicle fusion)",
                               minimum=0.0, maximum=5.0, slider=steps(0, 5, 0.05)),
        "gmax": Param(0.01, "uS", "AMPA conductance of each synapse (enough to fire the next neuron)",
                      positive=True, maximum=1.0, slider=decades(0.0001, 1)),
        "temperature": temperature(37.0, "temperature (the textbook cell's: body temperature)", minimum=20.0,
                                   maximum=40.0),
        "dt": time_step(maximum=0.05),
    },
    signals=(Signal("chain soma * V (mV)", "mV", "each chain neuron's soma"),
             Signal("chain terminal * V (mV)", "mV", "each chain neuron's axon terminal"),
             Signal("axon end V (mV)", "mV", "the far end of one long axon, for comparison")),
    answer="They slow it down: over the same {total_length_mm:.0f} mm a chain of {n_neurons} neurons takes "
           "{chain_latency_ms:.1f} ms against {axon_latency_ms:.1f} ms along one continuous axon, "
           "{per_synapse_ms:.1f} ms more per synapse (release, receptors, and charging the next cell to "
           "threshold).",
    headline=(Headline("chain_latency_ms", "Time across the chain of neurons", "ms"),
              Headline("axon_latency_ms", "Time along one axon of the same length", "ms"),
              Headline("per_synapse_ms", "Extra time per synapse", "ms"),
              Headline("chain_synaptic_delay_ms", "Time in synaptic delays (all synapses)", "ms"),
              Headline("chain_integration_ms", "Time charging each next cell to threshold (all)", "ms"),
              Headline("conduction_velocity_m_s", "Conduction velocity in the axons", "m/s")),
    suggestions=(Suggestion("Eight neurons in the chain: every extra synapse adds its delay", {"n_neurons": 8}),
                 Suggestion("Faster release (0.2 ms): each synapse costs less", {"release_delay": 0.2}),
                 Suggestion("Stronger synapses: the next cell reaches threshold sooner", {"gmax": 0.05})),
    model_note="Textbook mammalian neurons at body temperature (37 °C) with thin unmyelinated axons (1 µm): a typical local chain "
               "of neurons.",
)

RECEPTOR_CHOICES = ("ampa", "nicotinic", "nmda")
#: The smallest AMPA gmax (µS) that fires the postsynaptic cell with every other parameter at its
#: default (37 °C): measured by bisection in tests/experiments/synapses/test_synaptic_transmission.py.
FIRING_GMAX_US = 0.0051
SYNAPTIC_TRANSMISSION = Experiment(
    name="synaptic-transmission",
    question="How does the signal cross to the next cell?",
    family=FAMILY,
    params={
        "receptor": Param("ampa", "", "postsynaptic receptor: ampa (glutamate), nicotinic (ACh) or nmda "
                          "(glutamate, Mg2+-blocked at rest)", str, RECEPTOR_CHOICES),
        # default: a clear EPSP (about 6 mV) 10 % below what fires the cell: two slider steps up, it fires
        "gmax": Param(0.0045, "uS", "maximal synaptic conductance (the synapse's weight); from about "
                      f"{FIRING_GMAX_US:g} µS (AMPA, 37 °C) the EPSP reaches threshold and the cell fires",
                      minimum=0, maximum=1.0, slider=steps(0, 0.05, 0.0005)),
        "antagonist": Param(0.0, "", "fraction of the postsynaptic receptors blocked by an antagonist "
                            "(CNQX for AMPA, curare for nicotinic, APV for NMDA): 0 none, 1 all", minimum=0,
                            maximum=1, slider=FRACTION),
        "temperature": temperature(37.0, "temperature of both cells and of the release step (37 °C: the "
                                   "textbook cell's body temperature)", minimum=10,
                                   maximum=42),
        "release_latency": Param(0.15, "ms", "AP peak at the terminal -> start of release, at 37 °C",
                                 minimum=0, maximum=5, slider=steps(0, 5, 0.05)),
        "latency_q10": Param(3.0, "", "Q10 of the release latency (Katz & Miledi 1965: about 3)", minimum=1,
                             maximum=5, slider=steps(1, 5, 0.1)),
        "t_max": Param(1.0, "mM", "transmitter concentration in the cleft after release", positive=True,
                       maximum=10, slider=decades(0.01, 10)),
        "pulse": Param(0.1, "ms", "how long the cleft stays at t_max before clearance starts", minimum=0.025,
                       maximum=5, slider=steps(0.025, 5, 0.025)),
        "tau_clear": Param(None, "ms", "clearance time constant (default: 1.2 glutamate, 0.15 ACh)",
                           minimum=0, maximum=100, slider=decades(0.01, 100)),
        "axon_length": Param(300.0, "um", "presynaptic axon, soma to terminal", minimum=20, maximum=3000,
                             slider=steps(20, 3000, 10)),
        "tstop": Param(40.0, "ms", "simulated time", minimum=10, maximum=1000, slider=steps(10, 1000, 5)),
        "dt": time_step(maximum=0.1),
    },
    interventions=(Intervention("antagonist", {"antagonist": 1.0}, "block every postsynaptic receptor "
                                "(CNQX for AMPA, curare for nicotinic, APV for NMDA)"),),
    signals=(Signal("v_pre_soma", "mV", "presynaptic soma"), Signal("v_terminal", "mV", "presynaptic terminal"),
             Signal("transmitter", "mM", "transmitter in the cleft"),
             Signal("open_fraction", "", "postsynaptic receptors open"),
             Signal("i_syn", "nA", "synaptic current"), Signal("v_post", "mV", "postsynaptic cell")),
    # postsynaptic_response: an EPSP below threshold, the EPSP reaching threshold and a spike, or no EPSP
    answer="Chemically: the action potential opens Ca2+ channels in the terminal, Ca2+ releases transmitter, and "
           "{postsynaptic_response}.",
    headline=(Headline("synaptic_delay_ms", "Synaptic delay (terminal's spike to EPSP onset)", "ms"),
              Headline("postsynaptic_fired", "Postsynaptic cell fired a spike", ""),
              Headline("epsp_amplitude_mV", "EPSP amplitude (when it stays below threshold)", "mV"),
              Headline("epsp_onset_to_threshold_ms", "EPSP onset to threshold (when the cell fires)", "ms"),
              Headline("postsynaptic_peak_mV", "Highest postsynaptic V", "mV"),
              Headline("peak_epsc_nA", "Peak synaptic current (inward < 0)", "nA"),
              Headline("peak_open_fraction", "Receptors open at the peak", ""),
              Headline("axon_conduction_ms", "Time down the presynaptic axon", "ms")),
    suggestions=(Suggestion("A stronger synapse (0.01 µS, twice what it takes): the EPSP reaches threshold and the "
                            "next cell fires", {"gmax": 0.01}),
                 Suggestion("Block the receptors (CNQX): transmitter is released, but the next cell does not "
                            "respond", {"antagonist": 1.0}),
                 Suggestion("Cool both cells to 26 °C: release is slower and the synaptic delay longer",
                            {"temperature": 26.0}),
                 Suggestion("NMDA receptors (0.05 µS), which Mg2+ blocks at rest: a small, slow EPSP",
                            {"receptor": "nmda", "gmax": 0.05})),
    model_note="Textbook mammalian neurons at body temperature (37 °C) on both sides, glutamate on AMPA "
               "receptors: a typical "
               "synapse in the brain.",
)

EXCITATION_INHIBITION = Experiment(
    name="excitation-inhibition",
    question="Can one cell get both kinds of input?",
    family=FAMILY,
    params={
        "gmax_e": Param(0.001, "uS", "AMPA conductance of each excitatory synapse", positive=True, maximum=0.1,
                        slider=decades(0.0001, 0.1)),
        "gmax_i": Param(0.005, "uS", "GABA_A conductance of each inhibitory synapse", positive=True, maximum=0.1,
                        slider=decades(0.0001, 0.1)),
        "bicuculline": Param(0.0, "", "fraction of GABA_A receptors blocked (bicuculline): 0 none, 1 all",
                             minimum=0, maximum=1, slider=FRACTION),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential of the GABA_A synapses (shunting uses rest)",
                      minimum=-100, maximum=-40, slider=steps(-100, -40, 1)),
        "strong_factor": Param(6.0, "", "x gmax_e for the excitation that fires the cell (veto test)",
                               minimum=1, maximum=50, slider=steps(1, 50, 0.5)),
        "interval": Param(5.0, "ms", "time between the two EPSPs of the temporal-summation test",
                          positive=True, maximum=50, slider=steps(0.5, 50, 0.5)),
        "veto_lead": Param(2.0, "ms", "how long the inhibition precedes the strong excitation", minimum=0,
                           maximum=20, slider=steps(0, 20, 0.5)),
        "dendrite_length": Param(600.0, "um", "length of each dendrite", minimum=100, maximum=2000,
                                 slider=steps(100, 2000, 50)),
        "dt": time_step(maximum=0.1),
    },
    interventions=(Intervention("bicuculline", {"bicuculline": 1.0}, "blocks the GABA_A receptors: "
                                "inhibition is gone"),),
    signals=(Signal("rest", "mV", "no input"), Signal("E1", "mV", "one EPSP"),
             Signal("E1E1", "mV", "two EPSPs at one synapse (temporal summation)"),
             Signal("E1E2", "mV", "EPSPs at two synapses (spatial summation)"),
             Signal("I_soma", "mV", "an IPSP at the soma"), Signal("E1I_soma", "mV", "EPSP and IPSP together"),
             Signal("strong_E", "mV", "excitation that fires the cell"),
             Signal("strong_E_I_soma", "mV", "the same with inhibition at the soma first (veto)")),
    answer="Yes: EPSPs ({epsp_mV:+.1f} mV) and IPSPs ({ipsp_mV:+.1f} mV) add up at the soma, in time and in space; "
           "inhibition at the soma stops the spikes that excitation alone fires ({n_spikes_excitation_alone} "
           "alone, {n_spikes_with_soma_inhibition} with it), and even with E_Cl at rest it shrinks a coinciding "
           "EPSP by {shunt_epsp_reduction_pct:.0f} %.",
    headline=(Headline("epsp_mV", "One EPSP at the soma", "mV"),
              Headline("ipsp_mV", "One IPSP at the soma", "mV"),
              Headline("temporal_summation_ratio", "Two EPSPs 5 ms apart, relative to one", ""),
              Headline("spatial_linearity", "EPSPs from two dendrites, relative to their sum", ""),
              Headline("n_spikes_excitation_alone", "Spikes from strong excitation alone", ""),
              Headline("n_spikes_with_soma_inhibition", "The same with inhibition at the soma", ""),
              Headline("shunt_epsp_reduction_pct", "EPSP shrinks by shunting inhibition", "%")),
    suggestions=(Suggestion("Block the GABA_A receptors (bicuculline): the veto is gone and the cell fires",
                            {"bicuculline": 1.0}),
                 Suggestion("Space the two EPSPs 20 ms apart: the first has faded, so they barely sum",
                            {"interval": 20.0}),
                 Suggestion("Raise E_Cl to -60 mV, above rest: 'inhibitory' synapses now depolarize",
                            {"e_cl": -60.0})),
    model_note="The textbook mammalian neuron's soma at body temperature (37 °C) with two passive dendrites: "
               "a typical neuron "
               "receiving AMPA (excitatory) and GABA_A (inhibitory) synapses.",
)

RECEPTOR_TYPES = Experiment(
    name="receptor-types",
    question="Nicotinic vs muscarinic receptors: what does each do with the same acetylcholine?",
    family=FAMILY,
    params={
        "gmax_nicotinic": Param(0.01, "uS", "nicotinic synapse conductance", minimum=0, maximum=1,
                                slider=steps(0, 0.1, 0.001)),
        "gmax_muscarinic": Param(0.05, "uS", "muscarinic synapse: maximal GIRK conductance", minimum=0,
                                 maximum=1, slider=steps(0, 0.5, 0.005)),
        "curare": Param(0.0, "", "fraction of nicotinic receptors blocked (curare): 0 none, 1 all", minimum=0,
                        maximum=1, slider=FRACTION),
        "atropine": Param(0.0, "", "fraction of muscarinic receptors blocked (atropine): 0 none, 1 all",
                          minimum=0, maximum=1, slider=FRACTION),
        "t_max": Param(1.0, "mM", "ACh in the cleft after one release", positive=True, maximum=10,
                       slider=decades(0.01, 10)),
        "tau_clear": Param(0.15, "ms", "ACh clearance by acetylcholinesterase", minimum=0, maximum=100,
                           slider=decades(0.01, 100)),
        "burst_spikes": Param(4, "", "spikes in the burst onto the third cell", int, minimum=1, maximum=20,
                              slider=steps(1, 20, 1)),
        "burst_rate": Param(100.0, "Hz", "firing rate within the burst", positive=True, maximum=500,
                            slider=steps(5, 500, 5)),
        "m1_step": Param(0.6, "uA/cm2", "current step (200-500 ms) into both M1 cells, with and without ACh",
                         minimum=0, maximum=10, slider=steps(0, 3, 0.05)),
        "tstop": Param(1500.0, "ms", "simulated time", minimum=500, maximum=10000, slider=steps(500, 10000, 100)),
        "dt": time_step(maximum=0.1),
    },
    interventions=(Intervention("curare", {"curare": 1.0}, "blocks the nicotinic receptors"),
                   Intervention("atropine", {"atropine": 1.0}, "blocks the muscarinic receptors")),
    signals=(Signal("v_nicotinic", "mV", "the cell with the nicotinic synapse"),
             Signal("v_muscarinic", "mV", "the cell with the muscarinic synapse"),
             Signal("v_muscarinic_burst", "mV", "the muscarinic cell after a burst"),
             Signal("g_nicotinic", "uS", "nicotinic conductance"),
             Signal("g_muscarinic", "uS", "muscarinic (GIRK) conductance"),
             Signal("g_muscarinic_burst", "uS", "muscarinic conductance during the burst"),
             Signal("v_m1*", "mV", "the cells with the M1 mechanism, with and without ACh"),
             Signal("g_m_current*", "uS", "their M-type K+ conductance (open)")),
    answer=("Nicotinic receptors excite within milliseconds ({nicotinic_peak_mV:+.1f} mV after "
            "{nicotinic_time_to_peak_ms:.0f} ms); muscarinic ones act slowly through G proteins, either "
            "way: M2 hyperpolarizes ({m2_peak_mV:+.1f} mV after {m2_time_to_peak_ms:.0f} ms) and M1 "
            "closes {m1_m_current_closed_percent:.0f} % of the M-type K+ channels, so the same step fires "
            "{m1_spikes} spikes instead of {m1_spikes_control}."),
    headline=(Headline("nicotinic_peak_mV", "Nicotinic: peak change of V", "mV"),
              Headline("nicotinic_time_to_peak_ms", "Nicotinic: time to peak", "ms"),
              Headline("m2_peak_mV", "Muscarinic M2: peak change of V", "mV"),
              Headline("m2_time_to_peak_ms", "Muscarinic M2: time to peak", "ms"),
              Headline("m1_m_current_closed_percent", "Muscarinic M1: M-type K+ channels closed", "%"),
              Headline("m1_spikes", "Muscarinic M1: spikes during the step, with ACh"),
              Headline("m1_spikes_control", "Spikes during the same step without ACh")),
    suggestions=(Suggestion("Block the nicotinic receptors with curare: the fast response is gone, the "
                            "slow ones stay", {"curare": 1.0}),
                 Suggestion("Block the muscarinic receptors with atropine: only the fast response is left",
                            {"atropine": 1.0}),
                 Suggestion("A single release instead of a burst: four G proteins per channel make the slow "
                            "responses far smaller", {"burst_spikes": 1}),
                 Suggestion("A stronger step: M1's effect on the spike count grows", {"m1_step": 1.0})),
    model_note=("Textbook mammalian neurons at body temperature (37 °C, rest -70 mV): the receptors' "
                "kinetics are those of "
                "mammalian synapses; M1 closes the textbook cell's own M-type K+ conductance."),
)

TRANSMITTER_CLEARANCE = Experiment(
    name="transmitter-clearance",
    question="What if transmitter stays in the cleft?",
    family=FAMILY,
    params={
        "tau_clear": Param(0.15, "ms", "ACh clearance time constant with AChE working", positive=True, maximum=10,
                           slider=decades(0.01, 10)),
        "block_factor": Param(20.0, "", "AChE blocked: clearance this many times slower", minimum=1, maximum=1000,
                              slider=decades(1, 1000)),
        "rate": Param(50.0, "Hz", "release rate of the train", positive=True, maximum=200, slider=steps(1, 200, 1)),
        "n_releases": Param(25, "", "releases in the train", int, minimum=1, maximum=500, slider=steps(1, 500, 1)),
        "gmax": Param(1.0, "uS", "nicotinic conductance (a neuromuscular-like synapse: large)",
                      positive=True, maximum=10, slider=decades(0.001, 10)),
        "desensitization": Param(0.002, "1/ms", "nicotinic desensitization rate kd (O -> D)", minimum=0,
                                 maximum=1, slider=steps(0, 0.02, 0.0005)),
        "dt": time_step(maximum=0.1),
    },
    interventions=(Intervention("AChE inhibitor", {"block_factor": 20.0}, "acetylcholinesterase blocked "
                                "(neostigmine): ACh clears twenty times slower"),),
    signals=(Signal("v_*", "mV", "the postsynaptic cell, control and AChE blocked"),
             Signal("T_*", "mM", "ACh in the cleft"), Signal("O_*", "", "receptors open"),
             Signal("D_*", "", "receptors desensitized"),
             Signal("h_*", "", "Na+ channels not inactivated in the postsynaptic cell")),
    answer="The receptors stay open, the cell stays depolarized and its Na+ channels inactivate: with "
           "acetylcholinesterase working every release fires a spike ({n_spikes_control} of {n_releases}); "
           "with it blocked the endplate current lasts {epc_decay_blocked_ms:.0f} ms instead of "
           "{epc_decay_control_ms:.1f}, and the cell fires for the first release only, then never again "
           "(depolarization block).",
    headline=(Headline("epc_decay_control_ms", "Endplate current decay, control", "ms"),
              Headline("epc_decay_blocked_ms", "Endplate current decay, AChE blocked", "ms"),
              Headline("n_spikes_control", "Spikes in the train, control", ""),
              Headline("n_spikes_blocked", "Spikes in the train, AChE blocked", ""),
              Headline("mean_v_train_blocked_mV", "Mean V during the train, AChE blocked", "mV"),
              Headline("h_on_plateau_blocked", "Na+ channels not inactivated on the plateau (h)", "")),
    suggestions=(Suggestion("A milder inhibitor (clearance 5x slower): ACh is gone before the next release and "
                            "the cell keeps firing", {"block_factor": 5.0}),
                 Suggestion("Faster desensitization: the receptors close during the train although ACh is "
                            "still there", {"desensitization": 0.02})),
    model_note="The textbook neuron at body temperature (37 °C) standing in for a muscle fibre, with a large "
               "nicotinic synapse that "
               "closes at a mammalian endplate's rate.",
)

EPILEPSY = Experiment(
    name="epilepsy",
    question="Why does a depolarized rest lead to seizures?",
    family=FAMILY,
    params={
        "n_exc": Param(200, "", "excitatory (regular-spiking) cells", int, minimum=2, maximum=5000,
                       slider=steps(10, 2000, 10)),
        "n_inh": Param(50, "", "inhibitory (fast-spiking) cells", int, minimum=1, maximum=2000,
                       slider=steps(5, 500, 5)),
        "rest_mV": Param(-60.0, "mV", "excitatory rest in the depolarized network (baseline -70)",
                         minimum=-69.0, maximum=-50.0, slider=steps(-69, -50, 0.5)),
        "tstop": Param(1000.0, "ms", "simulated time of each network (the spec's 5 s: --set tstop=5000)",
                       minimum=300.0, slider=steps(300, 10000, 100)),
        "transient": Param(100.0, "ms", "initial time left out of the measures and the figure (the network settles)", minimum=0.0,
                           slider=steps(0, 1000, 10)),
        "dt": time_step(0.05, maximum=0.1),
        "seed": Param(1, "", "connectivity and background seed", int, minimum=0, slider=steps(0, 100, 1)),
        "p_connect": Param(0.1, "", "probability of a synapse from an excitatory cell to any cell",
                           minimum=0.0, maximum=1.0, slider=steps(0, 0.5, 0.005)),
        "p_inh": Param(0.2, "", "probability of a synapse from an inhibitory cell to any cell",
                       minimum=0.0, maximum=1.0, slider=steps(0, 0.5, 0.005)),
        "g_ee": Param(2.5, "nS", "AMPA gmax, excitatory -> excitatory", minimum=0.0, slider=steps(0, 10, 0.1)),
        "g_ei": Param(5.0, "nS", "AMPA gmax, excitatory -> inhibitory", minimum=0.0, slider=steps(0, 20, 0.1)),
        "g_inh": Param(8.0, "nS", "GABA_A gmax, inhibitory -> any cell", minimum=0.0, slider=steps(0, 30, 0.1)),
        "delay": Param(1.5, "ms", "synaptic delay (conduction + release)", minimum=0.0, maximum=20.0,
                       slider=steps(0, 20, 0.1)),
        "bg_rate_hz": Param(1000.0, "Hz", "Poisson background events per cell", minimum=0.0, maximum=20000.0,
                            slider=steps(0, 5000, 50)),
        "g_bg": Param(0.7, "nS", "peak conductance of one background event (Exp2Syn 0.5/3 ms)", minimum=0.0,
                      slider=steps(0, 5, 0.05)),
        "g_bg_inh": Param(1.65, "nS", "the same onto an inhibitory cell (interneurons get more drive)",
                          minimum=0.0, slider=steps(0, 5, 0.05)),
    },
    signals=(Signal("* E rate (Hz)", "Hz", "excitatory population rate, baseline and depolarized"),
             Signal("* I rate (Hz)", "Hz", "inhibitory population rate, baseline and depolarized")),
    quick={"tstop": 600.0},
    answer=("Because cells resting closer to threshold recruit each other faster than inhibition can hold "
            "them: at rest -70 mV the excitatory cells fire {baseline[rate_hz]:.1f} Hz out of step (synchrony "
            "{baseline[synchrony]:.2f}) with the interneurons at {baseline[rate_inh_hz]:.1f} Hz; at "
            "{depolarized[rest_mV]:.0f} mV they fire {rate_ratio:.0f} times more, together "
            "(synchrony {depolarized[synchrony]:.2f}), in {depolarized[n_bursts]} population bursts."),
    headline=(Headline("baseline_rate_hz", "Healthy: excitatory rate", "Hz"),
              Headline("baseline_rate_inh_hz", "Healthy: inhibitory rate", "Hz"),
              Headline("baseline_synchrony", "Healthy: synchrony χ (0 independent, 1 all together)"),
              Headline("depolarized_rate_hz", "Depolarized: excitatory rate", "Hz"),
              Headline("depolarized_synchrony", "Depolarized: synchrony χ"),
              Headline("depolarized_n_bursts", "Depolarized: population bursts"),
              Headline("rate_ratio", "Rate increase (times)")),
    suggestions=(Suggestion("Depolarize less (-65 mV): rates rise, bursts are rarer", {"rest_mV": -65.0}),
                 Suggestion("Weaken inhibition (as a GABA_A blocker would): bursts even at a healthier rest",
                            {"g_inh": 2.0, "rest_mV": -65.0}),
                 Suggestion("Run 5 s, as the specification asks", {"tstop": 5000.0}),
                 Suggestion("Another random network", {"seed": 2})),
    model_note=("Regular-spiking excitatory and fast-spiking inhibitory cells of Pospischil et al. (2008), "
                "mammalian cortex at 36 °C: the textbook cell cannot rest stably above -64 mV, so it cannot "
                "show a depolarized rest."),
)

# The experiments added with issue 16, declared in their own module (this one stays under 400 lines).
from excitable.experiments.synapses.more_declarations import (CALCIUM_RELEASE, ELECTRICAL_SYNAPSE,  # noqa: E402,F401
                                                              POSTSYNAPTIC_SPIKE)
