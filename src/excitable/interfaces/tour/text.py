"""Words for the tour: units from summary keys, number formatting, and the mechanism from a docstring."""

from __future__ import annotations

import math
import re

#: Summary-key suffix (after the last word of the quantity) -> the unit shown. Longest match wins,
#: so "velocity_m_s" is m/s, not s; the suffix must follow an underscore ("n_spikes" has none).
UNITS = {
    "m_s_per_um": "m/s per µm", "mV_per_decade": "mV/decade", "mV_ms": "mV/ms", "mV_per_ms": "mV/ms",
    "uA_cm2": "µA/cm²", "mA_cm2": "mA/cm²", "nA_cm2": "nA/cm²", "mS_cm2": "mS/cm²", "S_cm2": "S/cm²",
    "uF_cm2": "µF/cm²", "uC_cm2": "µC/cm²", "nC_cm2": "nC/cm²", "pmol_cm2": "pmol/cm²",
    "ohm_cm2": "Ω·cm²", "kohm_cm2": "kΩ·cm²", "ohm_cm": "Ω·cm", "m_s": "m/s", "mm_ms": "mm/ms",
    "um_ms": "µm/ms", "um2": "µm²", "um3": "µm³", "cm2": "cm²", "mV": "mV", "uV": "µV", "V": "V",
    "ms": "ms", "us": "µs", "s": "s", "um": "µm", "mm": "mm", "cm": "cm", "nm": "nm",
    "nA": "nA", "pA": "pA", "uA": "µA", "nS": "nS", "uS": "µS", "pS": "pS", "mS": "mS",
    "MOhm": "MΩ", "GOhm": "GΩ", "kOhm": "kΩ", "pF": "pF", "nF": "nF", "nC": "nC", "pC": "pC", "fC": "fC",
    "degC": "°C", "Hz": "Hz", "kHz": "kHz", "mM": "mM", "uM": "µM", "nM": "nM", "pct": "%", "percent": "%",
    "per_s": "/s", "per_ms": "/ms", "hz": "Hz",
}
_BY_LENGTH = sorted(UNITS, key=len, reverse=True)


def split_key(key: str) -> tuple[str, str]:
    """("label", "unit") from a summary key: "velocity_unmyelinated_m_s" -> ("velocity unmyelinated", "m/s")."""
    for suffix in _BY_LENGTH:
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix) - 1].replace("_", " "), UNITS[suffix]
    return key.replace("_", " "), ""


def format_value(value) -> str | None:
    """A scalar as text (4 significant digits), or None for what the tour does not show (lists, dicts)."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
            return f"{value:.3e}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    if isinstance(value, str):
        return value if len(value) <= 160 else value[:157] + "..."
    return None


def scalar_rows(summary: dict) -> list[tuple[str, str, str, str]]:
    """(key, label, value text, unit) for every scalar in a (JSON-ready) summary, in its order."""
    rows = []
    for key, value in summary.items():
        text = format_value(value)
        if text is not None:
            label, unit = split_key(str(key))
            rows.append((str(key), label, text, unit if text != "n/a" else ""))
    return rows


_ABBREV = ("e.g.", "i.e.", "et al.", "vs.", "cf.", "approx.", "Fig.", "fig.", "Eq.", "No.", "ca.")


def sentences(text: str) -> list[str]:
    """Split prose into sentences (not after e.g., i.e., et al. ...)."""
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", " ".join(text.split())):
        if out and out[-1].endswith(_ABBREV):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [s for s in out if s]


def paragraphs(doc: str | None) -> list[str]:
    """A docstring's paragraphs, each joined into one line."""
    if not doc:
        return []
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]


def mechanism(doc: str | None, max_sentences: int = 3) -> str:
    """The mechanism: the first paragraph after a module docstring's title, at most ``max_sentences``."""
    paras = paragraphs(doc)
    if len(paras) < 2:
        return ""
    return " ".join(sentences(paras[1])[:max_sentences])


def protocol_from_title(doc: str | None) -> str:
    """What the title line says the experiment does: the text after its question mark, if any."""
    paras = paragraphs(doc)
    if not paras:
        return ""
    _, mark, rest = paras[0].partition("?")
    return rest.strip() if mark else ""
