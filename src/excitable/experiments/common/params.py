"""Declaration pieces several experiments share: the single-compartment models' parameters, the
channel blockers and their one-click interventions, the usual sliders.

Light like every declaration (nothing heavier than ``excitable.experiments.base``): listing and
checking parameters must not import JAX, NumPy or matplotlib.
"""

from __future__ import annotations

from excitable.experiments.base import Intervention, Param, Signal, decades, steps

#: The single-compartment models (``excitable.experiments.common.models``).
MODELS = ("hh", "textbook")

#: A temperature slider, degC: from a cold squid (HH measured at 6.3) to a fever.
TEMPERATURE_SLIDER = steps(0, 42, 0.5)
#: A time-step slider, ms: a microsecond to NEURON's 0.025 and beyond.
DT_SLIDER = decades(0.001, 0.1)


#: What a default of None means for a single-compartment model's temperature, degC: the model's own
#: (``excitable.experiments.common.models``: HH measured the squid axon at 6.3; the textbook neuron, 37).
MODEL_TEMPERATURE_NOTE = "the model's own: 6.3 for hh, 37 for textbook"


def temperature(default, help: str, *, minimum: float = -10, maximum: float = 60, note: str = "") -> Param:
    """The temperature parameter, degC (None: the model's own, as ``help`` and ``note`` say)."""
    slider = steps(max(minimum, TEMPERATURE_SLIDER.low), min(maximum, TEMPERATURE_SLIDER.high), 0.5)
    return Param(default, "degC", help, minimum=minimum, maximum=maximum, slider=slider, default_note=note)


def time_step(default: float = 0.025, help: str = "time step", *, maximum: float | None = None) -> Param:
    """The time step parameter, ms."""
    high = DT_SLIDER.high if maximum is None else min(maximum, DT_SLIDER.high)
    return Param(default, "ms", help, positive=True, maximum=maximum, slider=decades(DT_SLIDER.low, high))


#: The parameters every single-compartment experiment shares.
MODEL_PARAMS = {
    "model": Param("hh", "", "hh (squid axon, 6.3 degC) or textbook (mammalian, 37 degC)", str, MODELS),
    "temperature": temperature(None, "the channels' rates scale by 3 per 10 degC (Q10)",
                               note=MODEL_TEMPERATURE_NOTE),
}
#: Teaching interventions on the voltage-gated channels.
DRUG_PARAMS = {
    "gNa_scale": Param(1.0, "", "multiply Na+ conductance (0 = TTX)", minimum=0, slider=steps(0, 2, 0.05)),
    "gK_scale": Param(1.0, "", "multiply K+ conductance (0 = TEA)", minimum=0, slider=steps(0, 2, 0.05)),
}
TTX = Intervention("TTX", {"gNa_scale": 0.0}, "tetrodotoxin blocks the voltage-gated Na+ channels")
TEA = Intervention("TEA", {"gK_scale": 0.0}, "tetraethylammonium blocks the delayed-rectifier K+ channels")
#: The channel blockers, for experiments with DRUG_PARAMS.
DRUGS = (TTX, TEA)
#: Pronase removes the Na+ channels' inactivation (h held at 1), for experiments built on
#: ``common.models.prepared``: the spike no longer ends on its own, only K+ pulls V back.
PRONASE_PARAM = {"no_inactivation": Param(False, "", "pronase: the Na+ channels do not inactivate "
                                          "(h held at 1)", bool)}
PRONASE = Intervention("pronase", {"no_inactivation": True}, "pronase removes Na+ channel inactivation")

#: What a single-compartment run with the stimulus recorded shows first.
V = Signal("v", "mV", "membrane potential")
I_STIM = Signal("i_stim", "uA/cm2", "stimulus current density")
