"""Tests of the experiments, by family as the package (membrane/, excitability/, cables/, synapses/,
common/); test_declarations.py checks every declaration at once."""


def assert_signals_recorded(result) -> None:
    """Every signal the experiment of ``result`` declares (``Experiment.signals``) is among its traces."""
    from excitable import experiments

    declared = experiments.declaration(result.name).signals
    assert declared, f"{result.name} declares no signals"
    missing = [s.label for s in declared if not any(s.matches(label) for label in result.traces)]
    assert not missing, f"{result.name}: declared signals not recorded: {missing}; traces: {list(result.traces)}"
