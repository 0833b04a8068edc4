"""Long runs go in chunks that continue from each other's final state: identical to one long scan."""

import io

import numpy as np

import excitable as ex
import excitable.engine.run as engine_run
from excitable.progress import StderrBar, reporting


def spiking_sim():
    cell = ex.Cell.cylinder().insert(ex.HH())
    sim = ex.Simulation(cell, dt=0.025, temperature=6.3)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=cell.density_to_nA(10, cell.soma), delay=3, duration=200))
    sim.record("v")
    sim.record_spikes()
    return sim


def test_chunked_run_equals_single_scan(monkeypatch):
    whole = spiking_sim().run(250.0, stride=3)
    monkeypatch.setattr(engine_run, "CHUNK_STEPS", 1000)  # 10 chunks, the last one padded
    stream = io.StringIO()
    with reporting(StderrBar(after_s=0.0, stream=stream)):
        chunked = spiking_sim().run(250.0, stride=3)
    # Same arithmetic in the same order: bit-for-bit equal, same spikes.
    assert np.array_equal(whole["v"], chunked["v"]) and len(whole.t) == len(chunked.t)
    assert np.array_equal(whole.spikes[0], chunked.spikes[0]) and len(whole.spikes[0]) >= 10
    shown = stream.getvalue()
    assert shown.count("%") >= 9 and "99.9%" in shown  # the bar advanced chunk by chunk
