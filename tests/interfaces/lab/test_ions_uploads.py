"""Ions in closed form (Nernst, GHK) and SWC uploads through the lab's API."""

from __future__ import annotations

import math
import tempfile

import pytest

from excitable.io import morphologies


def test_ions_are_the_closed_forms(lab):
    """Against ``physics.ions`` (the engine's own formulas) to 1e-3 mV (the answer is rounded to
    1e-4 mV), and against the textbook value E_K = 26.73 mV × ln(5/140) = -89.06 mV at 37 °C."""
    from excitable.physics.ions import ghk_voltage, nernst

    body = {"temperature": 20, "inside": {"k": 150, "na": 15}, "outside": {"k": 10, "cl": 120},
            "permeability": {"na": 0.05}}
    r = lab.post("/api/ions", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    ci, co, p = out["inside"], out["outside"], out["permeability"]
    assert (ci["k"], co["k"], co["na"], p["na"], p["k"]) == (150, 10, 145, 0.05, 1.0)
    for k, z in (("k", 1), ("na", 1), ("cl", -1)):
        assert out["nernst_mV"][k] == pytest.approx(float(nernst(ci[k], co[k], z, 20.0)), abs=1e-3)
    ghk = float(ghk_voltage([p["k"], p["na"], p["cl"]], [ci["k"], ci["na"], ci["cl"]],
                            [co["k"], co["na"], co["cl"]], [1, 1, -1], 20.0))
    assert out["ghk_mV"] == pytest.approx(ghk, abs=1e-3)
    assert out["formulas"]["k"].endswith(f"= {out['nernst_mV']['k']:.1f} mV".replace("-", "−"))
    assert "ln((1×10 + 0.05×145 + 0.45×10)" in out["formulas"]["ghk"]
    default = lab.post("/api/ions", json={}).json()
    assert default["nernst_mV"]["k"] == pytest.approx(26.7268 * math.log(5 / 140), abs=0.01)  # -89.06 mV
    assert out["elapsed_ms"] < 10  # not a speed claim: the closed form must not run a simulation


@pytest.mark.parametrize("body, field", [({"inside": {"k": 0}}, "inside.k"), ({"temperature": "hot"}, "temperature"),
                                         ({"outside": {"ca": 2}}, "outside.ca"), ({"pump": 1}, "pump")])
def test_ions_refusals_name_the_field(lab, body, field):
    r = lab.post("/api/ions", json=body)
    assert r.status_code == 422 and r.json()["field"] == field and "\n" not in r.json()["error"]


def _upload(lab, name: str, data: bytes):
    return lab.post("/api/swc", files={"file": (name, data, "text/plain")})


def test_an_uploaded_swc_is_parsed_as_the_cli_does_and_runs(lab, tmp_path, monkeypatch):
    data = morphologies.path("simple").read_bytes()
    r = _upload(lab, "my cell.swc", data)
    assert r.status_code == 200, r.text
    up = r.json()
    assert up["id"].startswith("upload-") and up["name"] == "my_cell.swc" and up["n_sections"] >= 3
    assert up["id"].startswith("upload-my_cell.swc-")  # the page's control and permalink show which file it is
    assert all(len(s) == 7 for s in up["segments"])
    run = lab.post("/api/run/morphology", json={"params": {"swc": up["id"], "site": "soma"}})
    assert run.status_code == 200, run.text
    body = run.json()
    from excitable import experiments

    assert body["morphology"] and len(body["morphology"]["v_mV"][0]) == len(body["morphology"]["segments"])
    assert "my_cell.swc" in body["script"] and "upload-" not in body["script"]
    # The page names the file as the learner's script and CLI line do (saved beside them), never the
    # server's temporary copy: the summary is the one that line prints, "swc" included.
    assert body["cli"] == "excitable run morphology --set swc=my_cell.swc --set site=soma"
    assert body["summary"]["swc"] == "my_cell.swc"
    assert "excitable-lab-" not in run.text and tempfile.gettempdir() + "/" not in run.text
    (tmp_path / "my_cell.swc").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    direct = experiments.run("morphology", swc="my_cell.swc", site="soma")
    assert body["summary"] == _summary(direct)


def _summary(result):
    from excitable.results import SUMMARY_DIGITS, jsonable

    return jsonable(result.summary, SUMMARY_DIGITS)


def test_a_malformed_swc_is_refused_with_the_parsers_line(lab, tmp_path):
    from excitable.errors import ModelError
    from excitable.io.import3d import read_swc_sections

    bad = b"1 1 0 0 0 5 -1\n2 3 0 10 0 1 1\n3 3 0 20 zero 1 2\n"
    (tmp_path / "bad.swc").write_bytes(bad)
    with pytest.raises(ModelError) as cli:
        read_swc_sections(tmp_path / "bad.swc")
    r = _upload(lab, "bad.swc", bad)
    assert r.status_code == 422 and r.json() == {"error": str(cli.value), "field": "file"}
    assert "line 3" in r.json()["error"]


def test_an_oversize_upload_is_refused(lab, monkeypatch):
    monkeypatch.setenv("EXCITABLE_LAB_MAX_UPLOAD_MB", "0.01")  # 10 kB
    r = _upload(lab, "big.swc", b"# padding\n" * 2000)
    assert r.status_code == 413 and r.json()["field"] == "file"
    r = lab.post("/api/run/morphology", json={"params": {"swc": "upload-0123456789abcdef"}})
    assert r.status_code == 422 and r.json()["field"] == "swc"
