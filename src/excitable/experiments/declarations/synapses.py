"""What the synapse and network experiments declare: name, question, parameters (units, bounds).

synapse-speed, synaptic-transmission, excitation-inhibition, receptor-types, transmitter-clearance,
epilepsy. Each protocol module imports its ``EXPERIMENT`` from here; this module imports nothing but
``excitable.experiments.base`` (see ``declarations``).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Param

SYNAPSE_SPEED = Experiment(
    name="synapse-speed",
    question="How do synapses affect how fast a signal travels?",
    params={
        "n_neurons": Param(4, "", "neurons in the chain (synapses = n - 1)", int, minimum=2, maximum=10),
        "axon_length": Param(1000.0, "um", "axon of each chain neuron (the single axon is n times longer)",
                             minimum=100.0, maximum=5000.0),
        "release_delay": Param(0.5, "ms", "terminal 0-mV crossing -> release (Ca2+ entry, vesicle fusion)",
                               minimum=0.0, maximum=5.0),
        "gmax": Param(0.01, "uS", "AMPA conductance of each synapse (enough to fire the next neuron)",
                      positive=True, maximum=1.0),
        "temperature": Param(36.0, "degC", "temperature (the textbook cell's)", minimum=20.0, maximum=40.0),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.05),
    },
)

RECEPTOR_CHOICES = ("ampa", "nicotinic", "nmda")
SYNAPTIC_TRANSMISSION = Experiment(
    name="synaptic-transmission",
    question="How does the signal cross to the next cell?",
    params={
        "receptor": Param("ampa", "", "postsynaptic receptor: ampa (glutamate), nicotinic (ACh) or nmda "
                          "(glutamate, Mg2+-blocked at rest)", str, RECEPTOR_CHOICES),
        "gmax": Param(0.005, "uS", "maximal synaptic conductance (the synapse's weight); about 0.02 fires "
                      "the postsynaptic cell", minimum=0, maximum=1.0),
        "antagonist": Param(0.0, "", "fraction of the postsynaptic receptors blocked by an antagonist "
                            "(CNQX for AMPA, curare for nicotinic, APV for NMDA): 0 none, 1 all", minimum=0,
                            maximum=1),
        "temperature": Param(36.0, "degC", "temperature of both cells and of the release step",
                             minimum=10, maximum=42),
        "release_latency": Param(0.15, "ms", "AP peak at the terminal -> start of release, at 36 degC",
                                 minimum=0, maximum=5),
        "latency_q10": Param(3.0, "", "Q10 of the release latency (Katz & Miledi 1965: about 3)", minimum=1,
                             maximum=5),
        "t_max": Param(1.0, "mM", "transmitter concentration in the cleft after release", positive=True,
                       maximum=10),
        "pulse": Param(0.1, "ms", "how long the cleft stays at t_max before clearance starts", minimum=0.025,
                       maximum=5),
        "tau_clear": Param(None, "ms", "clearance time constant (default: 1.2 glutamate, 0.15 ACh)",
                           minimum=0, maximum=100),
        "axon_length": Param(300.0, "um", "presynaptic axon, soma to terminal", minimum=20, maximum=3000),
        "tstop": Param(40.0, "ms", "simulated time", minimum=10, maximum=1000),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)

EXCITATION_INHIBITION = Experiment(
    name="excitation-inhibition",
    question="Can one cell get both kinds of input?",
    params={
        "gmax_e": Param(0.001, "uS", "AMPA conductance of each excitatory synapse", positive=True, maximum=0.1),
        "gmax_i": Param(0.005, "uS", "GABA_A conductance of each inhibitory synapse", positive=True, maximum=0.1),
        "bicuculline": Param(0.0, "", "fraction of GABA_A receptors blocked (bicuculline): 0 none, 1 all",
                             minimum=0, maximum=1),
        "e_cl": Param(-80.0, "mV", "Cl- reversal potential of the GABA_A synapses (shunting uses rest)",
                      minimum=-100, maximum=-40),
        "strong_factor": Param(6.0, "", "x gmax_e for the excitation that fires the cell (veto test)",
                               minimum=1, maximum=50),
        "interval": Param(5.0, "ms", "time between the two EPSPs of the temporal-summation test",
                          positive=True, maximum=50),
        "veto_lead": Param(2.0, "ms", "how long the inhibition precedes the strong excitation", minimum=0,
                           maximum=20),
        "dendrite_length": Param(600.0, "um", "length of each dendrite", minimum=100, maximum=2000),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)

RECEPTOR_TYPES = Experiment(
    name="receptor-types",
    question="Nicotinic vs muscarinic receptors: what does each do with the same acetylcholine?",
    params={
        "gmax_nicotinic": Param(0.01, "uS", "nicotinic synapse conductance", minimum=0, maximum=1),
        "gmax_muscarinic": Param(0.05, "uS", "muscarinic synapse: maximal GIRK conductance", minimum=0, maximum=1),
        "curare": Param(0.0, "", "fraction of nicotinic receptors blocked (curare): 0 none, 1 all", minimum=0,
                        maximum=1),
        "atropine": Param(0.0, "", "fraction of muscarinic receptors blocked (atropine): 0 none, 1 all",
                          minimum=0, maximum=1),
        "t_max": Param(1.0, "mM", "ACh in the cleft after one release", positive=True, maximum=10),
        "tau_clear": Param(0.15, "ms", "ACh clearance by acetylcholinesterase", minimum=0, maximum=100),
        "burst_spikes": Param(4, "", "spikes in the burst onto the third cell", int, minimum=1, maximum=20),
        "burst_rate": Param(100.0, "Hz", "firing rate within the burst", positive=True, maximum=500),
        "tstop": Param(1500.0, "ms", "simulated time", minimum=200, maximum=10000),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)

TRANSMITTER_CLEARANCE = Experiment(
    name="transmitter-clearance",
    question="What if transmitter stays in the cleft?",
    params={
        "tau_clear": Param(0.15, "ms", "ACh clearance time constant with AChE working", positive=True, maximum=10),
        "block_factor": Param(10.0, "", "AChE blocked: clearance this many times slower", minimum=1, maximum=1000),
        "rate": Param(50.0, "Hz", "release rate of the train", positive=True, maximum=200),
        "n_releases": Param(25, "", "releases in the train", int, minimum=1, maximum=500),
        "gmax": Param(0.4, "uS", "nicotinic conductance (a neuromuscular-like synapse: large)",
                      positive=True, maximum=10),
        "desensitization": Param(0.002, "1/ms", "nicotinic desensitization rate kd (O -> D)", minimum=0,
                                 maximum=1),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)

EPILEPSY = Experiment(
    name="epilepsy",
    question="Why does a depolarized rest lead to seizures?",
    params={
        "n_exc": Param(400, "", "excitatory (regular-spiking) cells", int, minimum=2, maximum=5000),
        "n_inh": Param(100, "", "inhibitory (fast-spiking) cells", int, minimum=1, maximum=2000),
        "rest_mV": Param(-60.0, "mV", "excitatory rest in the depolarized network (baseline -70)",
                         minimum=-69.0, maximum=-50.0),
        "tstop": Param(2000.0, "ms", "simulated time of each network (the spec's 5 s: --set tstop=5000)",
                       minimum=300.0),
        "transient": Param(200.0, "ms", "initial time left out of the measures", minimum=0.0),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
        "seed": Param(1, "", "connectivity and background seed", int, minimum=0),
        "p_connect": Param(0.05, "", "probability of a synapse from an excitatory cell to any cell",
                           minimum=0.0, maximum=1.0),
        "p_inh": Param(0.1, "", "probability of a synapse from an inhibitory cell to any cell",
                       minimum=0.0, maximum=1.0),
        "g_ee": Param(1.5, "nS", "AMPA gmax, excitatory -> excitatory", minimum=0.0),
        "g_ei": Param(5.0, "nS", "AMPA gmax, excitatory -> inhibitory", minimum=0.0),
        "g_inh": Param(8.0, "nS", "GABA_A gmax, inhibitory -> any cell", minimum=0.0),
        "delay": Param(1.5, "ms", "synaptic delay (conduction + release)", minimum=0.0, maximum=20.0),
        "bg_rate_hz": Param(1000.0, "Hz", "Poisson background events per cell", minimum=0.0, maximum=20000.0),
        "g_bg": Param(0.7, "nS", "peak conductance of one background event (Exp2Syn 0.5/3 ms)", minimum=0.0),
    },
)
