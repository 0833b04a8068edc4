"""Tests of the experiments, by family as the package (membrane/, excitability/, cables/, synapses/,
common/); test_declarations.py checks every declaration at once."""


def assert_signals_recorded(result) -> None:
    """Every signal the experiment of ``result`` declares (``Experiment.signals``) is among its traces."""
    from excitable import experiments

    declared = experiments.declaration(result.name).signals
    assert declared, f"{result.name} declares no signals"
    missing = [s.label for s in declared if not any(s.matches(label) for label in result.traces)]
    assert not missing, f"{result.name}: declared signals not recorded: {missing}; traces: {list(result.traces)}"


def assert_answer_measured(result) -> None:
    """The plain answer of ``result``'s experiment fills in from this run's summary (issue 16: every
    format field is a key it measured), and every headline number is in the summary."""
    from excitable import experiments

    declared = experiments.declaration(result.name)
    assert declared.answer_for(result.summary), f"{result.name}: the answer's fields are not all measured"
    missing = [h.key for h in declared.headline if h.key not in result.summary]
    assert not missing, f"{result.name}: headline keys not in the summary: {missing}"
