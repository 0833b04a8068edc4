"""Which knob matters: relative sensitivities by gradients through the simulation, checked against
central finite differences, and (for one parameter) against the experiment's own runs."""

from __future__ import annotations

import math

import pytest

from excitable import experiments


def _rows(body: dict) -> dict:
    return {r["param"]: r for r in body["rows"]}


def test_resting_potential_by_jax_grad_of_ghk(lab):
    """The GHK equation in closed form: gradient and finite difference to 1e-6 (H = 1e-4: truncation
    ~1e-8, rounding ~1e-12); the K+ row is also the closed form dV/dln[K]o = (RT/F) P_K[K]o / num."""
    body = lab.post("/api/sensitivity/resting-potential", json={"params": {}}).json()
    rows = _rows(body)
    for r in body["rows"]:
        assert r["relative"] == pytest.approx(r["finite_difference"], rel=1e-6, abs=1e-9), r["param"]
    rt_f = 8.314462618 * 310.15 / 96485.33212 * 1e3
    num = 1 * 5 + 0.04 * 145 + 0.45 * 10
    assert rows["ko"]["relative"] == pytest.approx(rt_f * 5 / num / body["value"], rel=1e-9)
    magnitudes = [abs(r["relative"]) for r in body["rows"]]
    assert magnitudes == sorted(magnitudes, reverse=True)


#: The action-potential page's setting under test.
_AP = {"amplitude": 20, "temperature": 36.5}


@pytest.mark.parametrize("target", ["peak_mV", "crossing_0mV_after_stimulus_ms"])
def test_action_potential_gradients_agree_with_finite_differences(lab, target):
    """Forward-mode derivatives through the run against central differences of the same run, to
    1e-3 relative: the targets are smooth between the samples that define them (the argmax sample,
    the two samples bracketing the crossing), and H = 1e-4 does not move those samples."""
    # At 36.5 °C, not the textbook cell's 37: there its peak sits on a tie of two samples (sample 252
    # at 36.998 °C, 251 at 37.0), where the sampled peak has a kink and a central difference of any
    # step straddles it (-1.02 against the gradient's -0.69 for temperature).
    body = lab.post("/api/sensitivity/action-potential", json={"params": _AP, "target": target})
    assert body.status_code == 200, body.text
    body = body.json()
    assert {r["param"] for r in body["rows"]} == {"gNa_scale", "gK_scale", "amplitude", "temperature"}
    for r in body["rows"]:
        assert r["relative"] == pytest.approx(r["finite_difference"], rel=1e-3, abs=1e-6), r
    if target != "peak_mV":
        return
    # Independently, through the experiment itself (its own scaling of the conductances): the
    # summary's peak at gNa_scale 1 +- 0.1 %; 1e-3 agreement (a central difference of a smooth
    # response: error ~(1e-3)² x curvature). The peak is the largest sample, so the step must keep
    # it on the same sample: +-1 % moved it to the next one on the textbook cell at 37 °C (a kink in
    # the peak: 0.426 against 0.469; +-0.3 % and +-0.03 % give 0.46926 and 0.46923).
    result = experiments.run("action-potential", **_AP)
    assert body["value"] == pytest.approx(result.summary["peak_mV"], abs=1e-6)
    up = experiments.run("action-potential", **_AP, gNa_scale=1.001).summary["peak_mV"]
    down = experiments.run("action-potential", **_AP, gNa_scale=0.999).summary["peak_mV"]
    fd = (math.log(up) - math.log(down)) / (math.log(1.001) - math.log(0.999))
    assert _rows(body)["gNa_scale"]["relative"] == pytest.approx(fd, rel=1e-3)


def test_the_pronase_page_ranks_the_knobs_of_the_model_it_shows(lab):
    """With pronase on (no_inactivation) the page runs another model, h held at 1: its panel's value
    is that run's peak (the experiment's own summary, 1e-6 mV), not the intact cell's, whose
    compiled function was cached first (it was the intact one's, 6 mV lower, before the fix)."""
    intact = lab.post("/api/sensitivity/action-potential", json={"params": _AP, "target": "peak_mV"}).json()
    treated = lab.post("/api/sensitivity/action-potential",
                       json={"params": {**_AP, "no_inactivation": True}, "target": "peak_mV"}).json()
    peak = experiments.run("action-potential", **_AP, no_inactivation=True).summary["peak_mV"]
    assert treated["value"] == pytest.approx(peak, abs=1e-6)
    assert abs(treated["value"] - intact["value"]) > 1.0


def test_a_page_without_targets_or_a_bad_target_is_refused(lab):
    r = lab.post("/api/sensitivity/epilepsy", json={})
    assert r.status_code == 422 and r.json()["field"] == "target"
    r = lab.post("/api/sensitivity/action-potential", json={"target": "rate"})
    assert r.status_code == 422 and "peak_mV" in r.json()["error"]


@pytest.mark.slow  # one compilation of a forward-mode run through a 400-compartment axon
def test_propagation_velocity_gradients_agree_with_finite_differences(lab):
    """The velocity through the page's own axon: its value is the experiment's (to 1e-9: the same
    run, the same least-squares fit), and each derivative agrees with its central difference to 1 %:
    an arrival time is interpolated between two samples, so it is smooth only until a change moves a
    crossing past a sample; there its slope jumps by ~1e-3 relative (seen at 10 °C)."""
    params = {"ncomp": 400, "length_um": 10000, "tstop": 6}
    body = lab.post("/api/sensitivity/propagation", json={"params": params})
    assert body.status_code == 200, body.text
    body = body.json()
    assert body["value"] == pytest.approx(experiments.run("propagation", **params).summary["velocity_m_s"], rel=1e-9)
    for r in body["rows"]:
        assert r["relative"] == pytest.approx(r["finite_difference"], rel=1e-2), r
    rows = _rows(body)
    assert rows["diameter_um"]["relative"] > 0 > rows["ra"]["relative"]  # thicker and less resistive: faster
