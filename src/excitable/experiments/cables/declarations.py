"""What the cable experiments declare: question, parameters (units, bounds, sliders), interventions,
signals.

Axons, dendrites and whole cells, many compartments: propagation, graded-potential, one-way,
myelination, morphology. Each protocol module imports its ``EXPERIMENT`` from here; this module imports
nothing heavier than ``excitable.experiments.base`` and the names of the shipped cells (listing and
checking parameters needs no JAX).
"""

from __future__ import annotations

from excitable.experiments.base import (Experiment, Headline, Intervention, Param, Signal, Suggestion,
                                        decades, steps)
from excitable.experiments.common.params import temperature, time_step
from excitable.io import morphologies  # the shipped cells' names: no NumPy (excitable.io is lazy)

FAMILY = "cables"

DIAMETER = decades(0.1, 1000)  # um: from a thin dendrite to the squid giant axon
AXIAL_RESISTIVITY = steps(10, 500, 1)  # ohm*cm
STIMULUS_NA = steps(-10, 10, 0.01)  # nA: a current injected into a compartment

PROPAGATION_PRESETS = {
    "squid": dict(diameter_um=476.0, length_um=20000.0, ra=35.4, temperature=18.5, dx_um=10.0, soma=False),
    "axon": dict(diameter_um=2.0, length_um=3000.0, ra=100.0, temperature=6.3, dx_um=10.0, soma=True),
}
PROPAGATION = Experiment(
    name="propagation",
    question="How does the action potential travel along the axon?",
    family=FAMILY,
    params={
        "preset": Param("squid", "", "squid (HH giant axon) or axon (soma + thin axon)", str,
                        tuple(PROPAGATION_PRESETS)),
        "diameter_um": Param(None, "um", "axon diameter (squid 476, axon 2)", positive=True, slider=DIAMETER),
        "length_um": Param(None, "um", "axon length (squid 20000, axon 3000)", positive=True,
                           slider=decades(100, 100000)),
        "ra": Param(None, "ohm*cm", "axial resistivity (squid 35.4, axon 100)", positive=True,
                    slider=AXIAL_RESISTIVITY),
        "temperature": temperature(None, "squid 18.5, axon 6.3"),
        "dx_um": Param(None, "um", "maximum compartment length (default 10)", positive=True,
                       slider=decades(1, 1000)),
        "ncomp": Param(None, "", "number of axon compartments (overrides dx_um)", int, minimum=3,
                       slider=steps(3, 2000, 1)),
        "amplitude_nA": Param(None, "nA", "stimulus (default: about 2x what starts a spike)",
                              slider=decades(0.001, 1000)),
        "pulse": Param(0.2, "ms", "stimulus duration", positive=True, slider=steps(0.05, 5, 0.05)),
        "tstop": Param(None, "ms", "simulated time (default: time to cross the axon x 2 + 3 ms)",
                       positive=True, slider=steps(1, 200, 1)),
        "dt": time_step(),
        "n_sites": Param(41, "", "recording sites along the axon", int, minimum=5, slider=steps(5, 201, 1)),
    },
    signals=(Signal("v@*um", "mV", "V at each recording site, by its distance from the stimulated end"),),
    answer="Each patch that fires drives current along the core into the next, which reaches threshold and "
           "fires in turn: the spike regenerates itself all the way, at {velocity_m_s:.1f} m/s in the squid "
           "giant axon (Hodgkin and Huxley computed 18.8), with the same peak ({interior_peak_mV:+.0f} mV, "
           "within {interior_peak_spread_mV:.1f} mV) everywhere along it.",
    headline=(Headline("velocity_m_s", "Conduction velocity", "m/s"),
              Headline("hh1952_computed_m_s", "Hodgkin and Huxley's computed velocity (1952)", "m/s"),
              Headline("hh1952_measured_m_s", "Measured in the squid axon (1952)", "m/s"),
              Headline("interior_peak_mV", "Peak along the axon", "mV"),
              Headline("interior_peak_spread_mV", "Spread of the peaks along the axon", "mV")),
    suggestions=(Suggestion("A quarter of the diameter: the spike travels about half as fast (velocity grows "
                            "as the square root of the diameter)", {"diameter_um": 119.0}),
                 Suggestion("Cool the axon to 6.3 °C: the gates are slower and so is the spike",
                            {"temperature": 6.3}),
                 Suggestion("A thin mammalian-sized axon (2 µm) leaving a soma", {"preset": "axon"})),
    model_note="Hodgkin and Huxley's squid giant axon (diameter 476 µm, 18.5 °C): the question is quantitative, "
               "and their computed velocity, 18.8 m/s, is the reference.",
)

GRADED_POTENTIAL = Experiment(
    name="graded-potential",
    question="Why are graded potentials proportional to the stimulus, and why do they fade?",
    family=FAMILY,
    params={
        "diameter_um": Param(2.0, "um", "cable diameter", positive=True, slider=DIAMETER),
        "length_um": Param(10000.0, "um", "cable length (>= 10 lambda for a clean exponential fit)",
                           positive=True, slider=decades(100, 100000)),
        "rm": Param(20000.0, "ohm*cm2", "specific membrane resistance", positive=True, slider=decades(1000, 100000)),
        "ra": Param(100.0, "ohm*cm", "axial (cytoplasmic) resistivity Ri", positive=True, slider=AXIAL_RESISTIVITY),
        "cm": Param(1.0, "uF/cm2", "specific membrane capacitance", positive=True, slider=steps(0.1, 5, 0.1)),
        "dx_um": Param(20.0, "um", "maximum compartment length (lambda/50 at the defaults)", positive=True,
                       slider=decades(1, 1000)),
        "amplitudes": Param("-0.1,-0.05,0.05,0.1,0.15,0.2", "nA",
                            "pulse amplitudes, comma-separated (negative = hyperpolarizing)", str),
        "pulse": Param(1.0, "ms", "duration of the brief pulses", positive=True, slider=steps(0.1, 20, 0.1)),
        "step_nA": Param(0.03, "nA", "steady current for the decay profile", minimum=-10, maximum=10,
                         slider=steps(-0.5, 0.5, 0.01)),
        "temperature": temperature(6.3, "no effect on a passive membrane (no gates)"),
        "dt": time_step(help="time step for the pulses"),
    },
    signals=(Signal("V at * um, *-nA pulse (mV)", "mV", "V along the cable after the largest pulse"),),
    answer="A passive membrane only leaks, so the response is proportional to the stimulus "
           "({pulse_gain_mV_per_nA:.0f} mV per nA); and the current leaks out as it spreads, so a steady "
           "response falls to 37 % within one length constant ({lambda_um:.0f} µm) and a brief pulse within "
           "{pulse_decay_length_um:.0f} µm.",
    headline=(Headline("lambda_um", "Length constant λ (steady response falls to 37 %)", "µm"),
              Headline("pulse_decay_length_um", "Distance over which a 1-ms pulse falls to 37 %", "µm"),
              Headline("tau_ms", "Membrane time constant τ", "ms"),
              Headline("pulse_gain_mV_per_nA", "Response per nA of stimulus", "mV/nA"),
              Headline("input_resistance_MOhm", "Input resistance", "MΩ")),
    suggestions=(Suggestion("A four times thicker dendrite: the length constant doubles", {"diameter_um": 8.0}),
                 Suggestion("A leakier membrane (Rm 5000 Ω cm²): signals fade within half the distance",
                            {"rm": 5000.0}),
                 Suggestion("A longer pulse (10 ms) fades less with distance than a 1-ms one", {"pulse": 10.0})),
    model_note="A passive cable (a dendrite 2 µm thick, leak only): nothing depends on voltage, so the closed "
               "forms of cable theory hold exactly.",
)

ONE_WAY = Experiment(
    name="one-way",
    question="Why does the action potential travel one way only?",
    family=FAMILY,
    params={
        "diameter_um": Param(476.0, "um", "axon diameter (squid giant axon 476)", positive=True, slider=DIAMETER),
        "length_um": Param(100000.0, "um", "axon length (10 cm)", positive=True, slider=decades(1000, 200000)),
        "ra": Param(35.4, "ohm*cm", "axial resistivity", positive=True, slider=AXIAL_RESISTIVITY),
        "temperature": temperature(6.3, "HH rates scale by 3^((T - 6.3)/10)", maximum=40),
        "dx_um": Param(100.0, "um", "maximum compartment length", positive=True, slider=decades(1, 1000)),
        "amplitude_nA": Param(None, "nA", "each stimulus (default: about 3x the middle's threshold)",
                              slider=decades(0.001, 1000)),
        "pulse": Param(0.5, "ms", "stimulus duration", positive=True, maximum=5.0, slider=steps(0.05, 5, 0.05)),
        "end_delay_ms": Param(0.0, "ms", "collision protocol: right end stimulated this much later",
                              minimum=-50, maximum=50, slider=steps(-50, 50, 0.5)),
        "tstop": Param(None, "ms", "simulated time (default: time to cross the axon x 1.2 + 5 ms)",
                       positive=True, slider=steps(5, 500, 5)),
        "dt": time_step(),
        "n_sites": Param(81, "", "recording sites along the axon", int, minimum=11, maximum=401,
                         slider=steps(11, 401, 2)),
    },
    signals=(Signal("middle: v at * um (mV)", "mV", "V along the axon, stimulated in the middle"),
             Signal("ends: v at * um (mV)", "mV", "V along the axon, stimulated at both ends (collision)")),
    answer="Because the membrane a spike has just left is refractory (its Na+ channels inactivated, its K+ "
           "channels still open): started in the middle, two spikes leave at {middle_velocity_right_m_s:.1f} "
           "m/s and none comes back; started at both ends, the two meet after {collision_time_ms:.1f} ms and "
           "both die.",
    headline=(Headline("middle_velocity_right_m_s", "Conduction velocity", "m/s"),
              Headline("collision_time_ms", "When the two spikes meet", "ms"),
              Headline("collision_position_um", "Where they meet", "µm")),
    suggestions=(Suggestion("Stimulate the right end 2 ms later: the spikes meet off-centre and still both die",
                            {"end_delay_ms": 2.0}),
                 Suggestion("Warm the axon to 18.5 °C: faster spikes, the same one-way rule",
                            {"temperature": 18.5})),
    model_note="Hodgkin and Huxley's squid giant axon at 6.3 °C, 10 cm long so that the spike (about 2.5 cm "
               "long) is short compared with the axon.",
)

MYELINATION = Experiment(
    name="myelination",
    question="How does myelin speed up conduction?",
    family=FAMILY,
    params={
        "myelin": Param(True, "", "myelin on the internodes (false: demyelinated, as in MS)", bool),
        "diameter_um": Param(10.0, "um", "fibre diameter D (axon + myelin)", minimum=0.5, maximum=30.0,
                             slider=steps(0.5, 30, 0.5)),
        "g_ratio": Param(0.6, "", "axon diameter / fibre diameter", minimum=0.3, maximum=0.95,
                         slider=steps(0.3, 0.95, 0.01)),
        "internode_per_diameter": Param(100.0, "", "internode length / fibre diameter", minimum=5.0,
                                        maximum=400.0, slider=steps(5, 400, 5)),
        "node_length_um": Param(1.0, "um", "length of a node of Ranvier", positive=True, maximum=20.0,
                                slider=steps(0.5, 20, 0.5)),
        "lamellae": Param(None, "", "myelin lamellae (default: myelin thickness / 16 nm)", int, minimum=0,
                          slider=steps(0, 300, 1)),
        "n_nodes": Param(21, "", "nodes of Ranvier on the fibre", int, minimum=5, maximum=200,
                         slider=steps(5, 200, 1)),
        "ra": Param(70.0, "ohm*cm", "axoplasm resistivity", positive=True, slider=AXIAL_RESISTIVITY),
        "temperature": temperature(37.0, "temperature (rates scale with Q10 3)", minimum=0.0, maximum=45.0),
        "stimulus_nA": Param(None, "nA", "pulse at the first node, 0.05 ms at 37 degC (default 0.25 nA per "
                             "um of D)", slider=steps(0, 20, 0.05)),
        "dt": time_step(0.001, "time step (microseconds matter here)", maximum=0.01),
        "sweep": Param(True, "", "also measure velocity vs diameter (D = 2, 4, 8, 16 um)", bool),
    },
    interventions=(Intervention("demyelinate", {"myelin": False}, "strip the myelin off the internodes, "
                                "as in multiple sclerosis"),
                   Intervention("thin myelin", {"lamellae": 40}, "40 lamellae instead of about 125: "
                                "slower conduction")),
    signals=(Signal("v node[*] at * um (mV)", "mV", "V at each node of Ranvier"),),
    quick={"sweep": False, "n_nodes": 13},
    answer="Myelin insulates the axon between the nodes, so the current from a firing node reaches the next "
           "node, {internode_length_um:.0f} µm away, within {internode_delay_us:.0f} µs: the spike jumps from "
           "node to node at {velocity_myelinated_m_s:.0f} m/s, {velocity_ratio:.0f} times faster than along "
           "a bare axon of the same size ({velocity_unmyelinated_m_s:.1f} m/s).",
    headline=(Headline("velocity_myelinated_m_s", "Velocity, myelinated", "m/s"),
              Headline("velocity_unmyelinated_m_s", "Velocity, bare axon", "m/s"),
              Headline("velocity_ratio", "How many times faster with myelin", ""),
              Headline("internode_delay_us", "Time from one node to the next", "µs"),
              Headline("velocity_per_fibre_diameter_m_s_per_um", "Velocity per µm of fibre diameter", "m/s per µm")),
    suggestions=(Suggestion("Demyelinate, as in multiple sclerosis: the spike crawls along the bare axon",
                            {"myelin": False}),
                 Suggestion("Thinner myelin (40 lamellae instead of 125): conduction slows", {"lamellae": 40}),
                 Suggestion("Very thin myelin (20 lamellae): the spike dies within a few nodes",
                            {"lamellae": 20}),
                 Suggestion("A thicker fibre (20 µm): velocity doubles", {"diameter_um": 20.0})),
    model_note="A mammalian myelinated fibre at 37 °C (10 µm, nodes with HH channels made 29 times faster, "
               "as HH's membrane would be at body temperature); the bare axon has the node membrane all along.",
)

MORPHOLOGY = Experiment(
    name="morphology",
    question="How does an input fade as it spreads through a real neuron?",
    family=FAMILY,
    params={
        "swc": Param("ca1-pyramidal", "", "SWC file, a shipped cell (" + ", ".join(morphologies.names())
                     + "), or builtin (a soma with three branching dendrites and an axon)", str),
        "site": Param("dendrite", "", "where the current enters: the farthest dendritic tip, or the soma", str,
                      ("dendrite", "soma")),
        "channels": Param("passive", "", "passive (a leak only: 20 kOhm cm2, rest -65 mV) or hh everywhere",
                          str, ("passive", "hh")),
        "amplitude_nA": Param(0.01, "nA", "current step at the input site", slider=STIMULUS_NA),
        "delay": Param(5.0, "ms", "step onset", minimum=0, slider=steps(0, 50, 0.5)),
        "pulse": Param(100.0, "ms", "step duration", positive=True, slider=steps(1, 500, 1)),
        "tstop": Param(110.0, "ms", "simulated time", positive=True, slider=steps(5, 1000, 5)),
        "dt": time_step(),
        "dx_um": Param(None, "um", "maximum segment length (default: NEURON's d_lambda = 0.1 rule)",
                       positive=True, slider=decades(1, 1000)),
        "ra": Param(100.0, "ohm*cm", "axial resistivity", positive=True, slider=AXIAL_RESISTIVITY),
        "cm": Param(1.0, "uF/cm2", "membrane capacitance", positive=True, slider=steps(0.1, 5, 0.1)),
        "temperature": temperature(6.3, "temperature (the HH channels' rates; no effect on a passive cell)"),
    },
    signals=(Signal("v", "mV", "V at the soma"), Signal("v@*", "mV", "V at the farthest tip and midway")),
    answer=("It fades with distance: a step that depolarizes the farthest dendritic tip by "
            "{input_depolarization_mV:.1f} mV moves the soma, {input_distance_um:.0f} µm away, by only "
            "{soma_depolarization_mV:.2f} mV ({soma_fraction_percent:.1f} % of it)."),
    headline=(Headline("input_depolarization_mV", "Depolarization where the current enters", "mV"),
              Headline("soma_depolarization_mV", "Depolarization at the soma", "mV"),
              Headline("attenuation_to_soma", "Attenuation from input to soma (times)"),
              Headline("half_distance_um", "Distance over which it halves", "µm"),
              Headline("input_distance_um", "Path distance from input to soma", "µm")),
    suggestions=(Suggestion("Inject at the soma instead: about half of it reaches the farthest tip (a sealed "
                            "end draws no current beyond it)", {"site": "soma", "amplitude_nA": 0.2}),
                 Suggestion("Give the whole cell Hodgkin-Huxley channels and a strong input at the soma: the "
                            "spike reaches every branch at full size", {"channels": "hh", "site": "soma",
                                                                         "amplitude_nA": 1.0}),
                 Suggestion("Double the axial resistivity: the depolarization fades faster",
                            {"ra": 200.0}),
                 Suggestion("Try a Purkinje cell", {"swc": "purkinje"})),
    model_note=("A reconstructed rat CA1 pyramidal cell (NeuroMorpho n120) with a passive membrane of "
                "20 kΩ cm² (a typical dendritic value): the question is how far a voltage spreads in a "
                "real tree, which the passive cable answers; the squid's HH channels are an option."),
)

MODEL = Experiment(
    name="model",
    question="How does a published model cell fire (its morphology, .mod files and parameter file)?",
    family=FAMILY,
    params={
        "swc": Param("allen-scnn1a", "", "SWC file, or a shipped cell (" + ", ".join(morphologies.names()) + ")",
                     str),
        "mechanisms": Param("", "", "folder (or .mod file) of the model's NMODL mechanisms; empty: NEURON's "
                            "built-in hh and pas only", str),
        "parameters": Param("", "", "the model's parameter file (JSON: Allen fit.json or a BluePyOpt-style "
                            "list of section, mechanism, parameter, value); empty: NEURON's hh everywhere",
                            str),
        "tables": Param("", "", "the values of the .mod files' FUNCTION_TABLEs (JSON: {\"SUFFIX\": {\"name\": "
                        "{\"x\": [...], \"y\": [...]}}}), as NEURON's table_name_SUFFIX gives them", str),
        "amplitude_nA": Param(1.0, "nA", "current step into the soma", slider=STIMULUS_NA),
        "delay": Param(5.0, "ms", "step onset", minimum=0, slider=steps(0, 500, 1)),
        "duration": Param(50.0, "ms", "step duration", positive=True, slider=steps(1, 2000, 1)),
        "tstop": Param(60.0, "ms", "simulated time", positive=True, slider=steps(5, 3000, 5)),
        "dt": time_step(),
        "dx_um": Param(None, "um", "maximum segment length (default: an Allen model's nseg = 1 + 2·int(L/40), "
                       "else 40 µm)", positive=True, slider=decades(1, 1000)),
        "temperature": temperature(None, "temperature (the model's rates)", note="the file's celsius, else 6.3"),
        "v_init": Param(None, "mV", "initial V (default: the file's v_init, else -65 mV)",
                        slider=steps(-100, 0, 0.5)),
        "seed": Param(0, "", "seed of the random numbers the .mod files draw (normrand ...: a noise current)", int,
                      minimum=0, maximum=2**32 - 1, slider=steps(0, 100, 1)),
    },
    signals=(Signal("v", "mV", "V at the soma"),),
    quick={"tstop": 30.0, "duration": 20.0},  # two spikes of the default cell
    answer="The cell fires {n_spikes} spikes during the step, the first at {first_spike_ms:.1f} ms, "
           "{rate_hz:.0f} per second.",
    headline=(Headline("n_spikes", "Spikes during the step"),
              Headline("first_spike_ms", "First spike", "ms"),
              Headline("rate_hz", "Firing rate during the step", "Hz"),
              Headline("n_compartments", "Compartments")),
    suggestions=(Suggestion("Double the current step: the cell fires faster", {"amplitude_nA": 2.0}),
                 Suggestion("A weaker step: one spike, then the cell settles", {"amplitude_nA": 0.3})),
    model_note=("Without files: the Allen Cell Types database's Scnn1a cell (specimen 177300.01.02.01) with "
                "NEURON's hh on its whole membrane; with files, the published model as its database gives it."),
)
