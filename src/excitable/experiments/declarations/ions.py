"""What the ion experiments declare: name, question, parameters (units, bounds).

Concentrations, permeabilities and pumps: resting-potential, permeability, pump-failure. Each
protocol module imports its ``EXPERIMENT`` from here; this module imports nothing but
``excitable.experiments.base`` (see ``declarations``).
"""

from __future__ import annotations

from excitable.experiments.base import Experiment, Param

RESTING_POTENTIAL = Experiment(
    name="resting-potential",
    question="Why is the inside negative, by 60-70 mV?",
    params={
        "ki": Param(140.0, "mM", "[K+] inside", positive=True),
        "ko": Param(5.0, "mM", "[K+] outside", positive=True),
        "nai": Param(12.0, "mM", "[Na+] inside", positive=True),
        "nao": Param(145.0, "mM", "[Na+] outside", positive=True),
        "cli": Param(10.0, "mM", "[Cl-] inside", positive=True),
        "clo": Param(110.0, "mM", "[Cl-] outside", positive=True),
        "pk": Param(1.0, "", "relative K+ permeability", minimum=0),
        "pna": Param(0.04, "", "relative Na+ permeability", minimum=0),
        "pcl": Param(0.45, "", "relative Cl- permeability", minimum=0),
        "temperature": Param(37.0, "degC", "temperature", minimum=-10, maximum=60),
    },
)

PERMEABILITY = Experiment(
    name="permeability",
    question="What if Na+ and K+ permeability both increase?",
    params={
        "k_values": Param("1,2,5", "", "scale factors k, comma-separated (k > 0)", str),
        "temperature": Param(37.0, "degC", "temperature of the GHK and passive parts (mammalian ions)",
                             minimum=-10, maximum=60),
        "step_uA_cm2": Param(-0.5, "uA/cm2", "current step for R_in and tau (passive compartment)",
                             minimum=-50, maximum=50),
        "epsc_uA_cm2": Param(1.0, "uA/cm2", "EPSC-like current (5-ms pulse) on the passive compartment",
                             minimum=-50, maximum=50),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)

PUMP_FAILURE = Experiment(
    name="pump-failure",
    question="What if the Na+/K+ pump stops?",
    params={
        "pump_off_s": Param(10.0, "s", "time at which ouabain blocks the pump", minimum=0),
        "tstop_s": Param(60.0, "s", "simulated time (up to 30 min)", positive=True, maximum=1800),
        "rate_hz": Param(10.0, "Hz", "firing rate imposed by 1-ms pulses (0: no stimulus)", minimum=0,
                         maximum=100),
        "block": Param(1.0, "", "fraction of pumps blocked from pump_off_s (ouabain; 0 none, 1 all)",
                       minimum=0, maximum=1),
        "diameter_um": Param(4.0, "um", "axon diameter (thinner: concentrations change faster)",
                             positive=True, maximum=1000),
        "stim_uA_cm2": Param(20.0, "uA/cm2", "pulse amplitude (about 2x threshold at rest)", minimum=0),
        "outside_um": Param(1.0, "um3/um2", "extracellular volume per membrane area (restricted space)",
                            positive=True),
        "tau_out_s": Param(1.0, "s", "time constant of K+ exchange between that space and the bath",
                           positive=True),
        "temperature": Param(18.5, "degC", "temperature (HH rates scale by 3 per 10 degC)",
                             minimum=0, maximum=30),
        "dt": Param(0.025, "ms", "time step", positive=True, maximum=0.1),
    },
)
