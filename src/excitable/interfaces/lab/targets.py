"""The headline numbers whose sensitivities the lab offers ("which knob matters"), declared without
JAX: the summary key, a label, the unit, and the parameters the ranking differentiates by (numbers a
learner can move, positive, so a relative change d ln(p) means something). ``sensitivity.py`` computes
them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    unit: str
    params: tuple[str, ...]


_ION = ("ko", "ki", "nao", "nai", "clo", "cli", "pk", "pna", "pcl", "temperature")
#: What the action potential's numbers are differentiated by: the parameters that enter the
#: simulation's parameter pytree (the pulse's duration is part of the drive, not a parameter).
_SPIKE = ("gNa_scale", "gK_scale", "amplitude", "temperature")

TARGETS: dict[str, tuple[Target, ...]] = {
    "resting-potential": (Target("rest_mV", "Resting potential (GHK)", "mV", _ION),),
    "action-potential": (Target("peak_mV", "Peak of the spike", "mV", _SPIKE),
                         Target("crossing_0mV_after_stimulus_ms",
                                "Time to spike (V crosses 0 mV, from the stimulus onset)", "ms", _SPIKE)),
    "propagation": (Target("velocity_m_s", "Conduction velocity", "m/s", ("diameter_um", "ra", "temperature")),),
}


def targets_of(name: str) -> tuple[Target, ...]:
    return TARGETS.get(name, ())
