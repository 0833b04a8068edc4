"""Receptor antagonists, the teaching toggles of the synapse experiments: blocking all receptors
removes the response (conductance scaled by 1 - fraction blocked, so a full block is exactly zero)."""

from excitable import experiments


def test_full_antagonist_abolishes_the_epsp_and_the_spike():
    control = experiments.run("synaptic-transmission", gmax=0.02).summary
    blocked = experiments.run("synaptic-transmission", gmax=0.02, antagonist=1.0).summary
    assert control["postsynaptic_fired"] and control["postsynaptic_peak_mV"] > 0.0
    assert not blocked["postsynaptic_fired"] and blocked["epsp_amplitude_mV"] == 0.0
    answer = experiments.declaration("synaptic-transmission").answer_for(blocked)
    assert "the antagonist blocks all its receptors" in answer and "no EPSP" in answer


def test_bicuculline_lifts_the_somatic_veto():
    control = experiments.run("excitation-inhibition").summary
    blocked = experiments.run("excitation-inhibition", bicuculline=1.0).summary
    assert control["n_spikes_with_soma_inhibition"] == 0
    assert blocked["n_spikes_with_soma_inhibition"] == blocked["n_spikes_excitation_alone"] >= 1


def test_curare_and_atropine_each_remove_only_their_receptors_response(tmp_path):
    curare = experiments.run("receptor-types", curare=1.0)
    atropine = experiments.run("receptor-types", atropine=1.0)
    assert curare.summary["nicotinic"]["peak_mV"] == 0.0 and curare.summary["muscarinic"]["peak_mV"] < -1.0
    assert atropine.summary["muscarinic"]["peak_mV"] == 0.0 and atropine.summary["nicotinic"]["peak_mV"] > 1.0
    for res in (curare, atropine):  # the figure says which cell is blocked instead of failing
        assert res.summary["speed_ratio_time_to_peak"] is None
        res.figure().savefig(tmp_path / "receptors.png", dpi=40)
