"""Measurements on voltage traces, pure numpy: spikes, AP shape, propagation, refractoriness.

Units: t in ms, V in mV, rates in mV/ms, frequencies in Hz, positions in um, velocities in m/s.
Invalid input (mismatched lengths, NaN, empty arrays) raises :class:`excitable.errors.ModelError`
with a one-line message naming the argument. Measurements that cannot be made (no spike) return
``None``, never NaN, except :func:`arrival_times`, which marks positions never reached with NaN.
"""

from excitable.analysis.propagation import (
    arrival_times as arrival_times,
    conduction_velocity as conduction_velocity,
    length_constant as length_constant,
    linearity_r2 as linearity_r2,
)
from excitable.analysis.refractory import (
    absolute_refractory_period as absolute_refractory_period,
    recovery_curve as recovery_curve,
    relative_refractory_period as relative_refractory_period,
)
from excitable.analysis.shape import (
    action_potential_summary as action_potential_summary,
    half_width as half_width,
    max_fall_rate as max_fall_rate,
    max_rise_rate as max_rise_rate,
    peak as peak,
    resting_potential as resting_potential,
    threshold_voltage as threshold_voltage,
    undershoot as undershoot,
)
from excitable.analysis.spikes import (
    crossing_times as crossing_times,
    firing_rate as firing_rate,
    interspike_intervals as interspike_intervals,
    spike_peaks as spike_peaks,
    spike_times as spike_times,
    step_times as step_times,
)

__all__ = [
    "absolute_refractory_period", "action_potential_summary", "arrival_times", "conduction_velocity",
    "crossing_times", "firing_rate", "half_width", "interspike_intervals", "length_constant",
    "linearity_r2", "max_fall_rate", "max_rise_rate", "peak", "recovery_curve",
    "relative_refractory_period", "resting_potential", "spike_peaks", "spike_times", "step_times",
    "threshold_voltage", "undershoot",
]
