"""What the cable experiments declare: name, question, parameters (units, bounds).

Axons, dendrites and whole cells, many compartments: propagation, graded-potential, one-way,
myelination, morphology.
Each protocol module imports its ``EXPERIMENT`` from here; this module imports nothing but
``excitable.experiments.base`` and the names of the shipped cells (see ``declarations``).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Param
from excitable.io import morphologies  # the shipped cells' names: no NumPy (excitable.io is lazy)

PROPAGATION_PRESETS = {
    "squid": dict(diameter_um=476.0, length_um=20000.0, ra=35.4, temperature=18.5, dx_um=10.0, soma=False),
    "axon": dict(diameter_um=2.0, length_um=3000.0, ra=100.0, temperature=6.3, dx_um=10.0, soma=True),
}
PROPAGATION = Experiment(
    name="propagation",
    question="How does the action potential travel along the axon?",
    params={
        "preset": Param("squid", "", "squid (HH giant axon) or axon (soma + thin axon)", str,
                        tuple(PROPAGATION_PRESETS)),
        "diameter_um": Param(None, "um", "axon diameter (squid 476, axon 2)", positive=True),
        "length_um": Param(None, "um", "axon length (squid 20000, axon 3000)", positive=True),
        "ra": Param(None, "ohm*cm", "axial resistivity (squid 35.4, axon 100)", positive=True),
        "temperature": Param(None, "degC", "squid 18.5, axon 6.3", minimum=-10, maximum=60),
        "dx_um": Param(None, "um", "maximum compartment length (default 10)", positive=True),
        "ncomp": Param(None, "", "number of axon compartments (overrides dx_um)", int, minimum=3),
        "amplitude_nA": Param(None, "nA", "stimulus (default: 5x what starts a spike)"),
        "pulse": Param(0.2, "ms", "stimulus duration", positive=True),
        "tstop": Param(None, "ms", "simulated time (default: time to cross the axon x 2 + 3 ms)",
                       positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        "n_sites": Param(41, "", "recording sites along the axon", int, minimum=5),
    },
)

GRADED_POTENTIAL = Experiment(
    name="graded-potential",
    question="Why are graded potentials proportional to the stimulus, and why do they fade?",
    params={
        "diameter_um": Param(2.0, "um", "cable diameter", positive=True),
        "length_um": Param(10000.0, "um", "cable length (>= 10 lambda for a clean exponential fit)",
                           positive=True),
        "rm": Param(20000.0, "ohm*cm2", "specific membrane resistance", positive=True),
        "ra": Param(100.0, "ohm*cm", "axial (cytoplasmic) resistivity Ri", positive=True),
        "cm": Param(1.0, "uF/cm2", "specific membrane capacitance", positive=True),
        "dx_um": Param(20.0, "um", "maximum compartment length (lambda/50 at the defaults)", positive=True),
        "amplitudes": Param("-0.1,-0.05,0.05,0.1,0.15,0.2", "nA",
                            "pulse amplitudes, comma-separated (negative = hyperpolarizing)", str),
        "pulse": Param(1.0, "ms", "duration of the brief pulses", positive=True),
        "step_nA": Param(0.03, "nA", "steady current for the decay profile", minimum=-10, maximum=10),
        "temperature": Param(6.3, "degC", "no effect on a passive membrane (no gates)",
                             minimum=-10, maximum=60),
        "dt": Param(0.025, "ms", "time step for the pulses", positive=True),
    },
)

ONE_WAY = Experiment(
    name="one-way",
    question="Why does the action potential travel one way only?",
    params={
        "diameter_um": Param(476.0, "um", "axon diameter (squid giant axon 476)", positive=True),
        "length_um": Param(100000.0, "um", "axon length (10 cm)", positive=True),
        "ra": Param(35.4, "ohm*cm", "axial resistivity", positive=True),
        "temperature": Param(6.3, "degC", "HH rates scale by 3^((T - 6.3)/10)", minimum=-10, maximum=40),
        "dx_um": Param(100.0, "um", "maximum compartment length", positive=True),
        "amplitude_nA": Param(None, "nA", "each stimulus (default: about 3x the middle's threshold)"),
        "pulse": Param(0.5, "ms", "stimulus duration", positive=True, maximum=5.0),
        "end_delay_ms": Param(0.0, "ms", "collision protocol: right end stimulated this much later",
                              minimum=-50, maximum=50),
        "tstop": Param(None, "ms", "simulated time (default: time to cross the axon x 1.2 + 5 ms)",
                       positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        "n_sites": Param(81, "", "recording sites along the axon", int, minimum=11, maximum=401),
    },
)

MYELINATION = Experiment(
    name="myelination",
    question="How does myelin speed up conduction?",
    params={
        "myelin": Param(True, "", "myelin on the internodes (false: demyelinated, as in MS)", bool),
        "diameter_um": Param(10.0, "um", "fibre diameter D (axon + myelin)", minimum=0.5, maximum=30.0),
        "g_ratio": Param(0.6, "", "axon diameter / fibre diameter", minimum=0.3, maximum=0.95),
        "internode_per_diameter": Param(100.0, "", "internode length / fibre diameter", minimum=5.0,
                                        maximum=400.0),
        "node_length_um": Param(1.0, "um", "length of a node of Ranvier", positive=True, maximum=20.0),
        "lamellae": Param(None, "", "myelin lamellae (default: myelin thickness / 16 nm)", int, minimum=0),
        "n_nodes": Param(21, "", "nodes of Ranvier on the fibre", int, minimum=5, maximum=200),
        "ra": Param(70.0, "ohm*cm", "axoplasm resistivity", positive=True),
        "temperature": Param(37.0, "degC", "temperature (rates scale with Q10 3)", minimum=0.0, maximum=45.0),
        "stimulus_nA": Param(None, "nA", "pulse at the first node, 0.05 ms at 37 degC (default 0.25 nA per um of D)"),
        "dt": Param(0.001, "ms", "time step (microseconds matter here)", positive=True, maximum=0.01),
        "sweep": Param(True, "", "also measure velocity vs diameter (D = 2, 4, 8, 16 um)", bool),
    },
)

MORPHOLOGY = Experiment(
    name="morphology",
    question="How does a real neuron respond to a current step at its soma?",
    params={
        "swc": Param("", "", "SWC file, or a shipped cell: " + ", ".join(morphologies.names())
                     + " (default: a built-in soma with dendrites and an axon)", str),
        "channels": Param("hh", "", "hh everywhere, or passive (leak only)", str, ("hh", "passive")),
        "amplitude_nA": Param(1.0, "nA", "current step at the soma"),
        "delay": Param(5.0, "ms", "step onset", minimum=0),
        "pulse": Param(100.0, "ms", "step duration", positive=True),
        "tstop": Param(110.0, "ms", "simulated time", positive=True),
        "dt": Param(0.025, "ms", "time step", positive=True),
        "dx_um": Param(None, "um", "maximum segment length (default: NEURON's d_lambda = 0.1 rule)",
                       positive=True),
        "ra": Param(100.0, "ohm*cm", "axial resistivity", positive=True),
        "cm": Param(1.0, "uF/cm2", "membrane capacitance", positive=True),
        "temperature": Param(6.3, "degC", "temperature", minimum=-10, maximum=60),
    },
)
