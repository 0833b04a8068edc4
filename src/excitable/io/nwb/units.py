"""Our units -> NWB's SI units with the ``conversion`` that takes our numbers there, and the unit of a
trace label (``trace_unit``)."""

from __future__ import annotations

#: Our unit -> (NWB's SI unit, the conversion that takes our numbers to it).
SI = {
    "mV": ("volts", 1e-3), "nA": ("amperes", 1e-9), "pA": ("amperes", 1e-12),
    "uA/cm2": ("A/m^2", 1e-2), "µA/cm²": ("A/m^2", 1e-2), "mS/cm2": ("S/m^2", 10.0),
    "mS/cm²": ("S/m^2", 10.0), "uS": ("siemens", 1e-6), "µS": ("siemens", 1e-6), "nS": ("siemens", 1e-9),
    "mM": ("mol/m^3", 1.0), "ms": ("seconds", 1e-3), "Hz": ("hertz", 1.0), "um": ("meters", 1e-6),
    "µm": ("meters", 1e-6), "": ("dimensionless", 1.0),
}
#: The labels the engine and the experiments give their traces -> unit (``Simulation.record``).
_SPECIAL = {"v": "mV", "v_all": "mV", "i_cap": "uA/cm2", "i_ion": "uA/cm2", "i_stim": "uA/cm2"}


def trace_unit(label: str, units: dict[str, str] | None = None) -> str:
    """The unit of a trace: ``units[label]`` if given, a unit in the label's last parentheses
    ("v at 100 um (mV)"), else the recording conventions of ``Simulation.record`` ("v" mV, "HH.ina"
    µA/cm², "HH.gna" mS/cm², "HH.m" dimensionless "", "iclamp[0]" nA, "ci:ca" mM, "AMPA[0].g" µS)."""
    if units and label in units:
        return units[label]
    base = label.split("@", 1)[0]  # "v@Location(section=1, x=0.5)": where, not a unit
    if base.endswith(")") and "(" in base:
        return base[base.rindex("(") + 1:-1].strip()
    if base in _SPECIAL:
        return _SPECIAL[base]
    if base.startswith(("iclamp[", "vclamp[")):
        return "nA"
    if base[:3] in ("ci:", "co:"):
        return "mM"
    mech, _, field = base.partition(".")
    if not field:
        return "unknown"
    if "[" in mech:  # a synapse instance: point currents and conductances
        return {"i": "nA", "g": "uS", "T": "mM"}.get(field[:1] if field != "T" else "T", "")
    return "uA/cm2" if field.startswith("i") else "mS/cm2" if field.startswith("g") else ""


def is_membrane_potential(label: str, unit: str, ndim: int) -> bool:
    """Whether a trace is a membrane potential recorded under current clamp, one sweep of V: a 1-D
    trace in mV whose label starts with "v" ("v", "v at 0.99 x threshold (mV)", "v, fast spiking (mV)")."""
    return unit == "mV" and ndim == 1 and label[:1] == "v" and (len(label) == 1 or not label[1].isalnum())
