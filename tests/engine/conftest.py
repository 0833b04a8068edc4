"""Fixtures shared by the engine tests."""

import pytest


@pytest.fixture
def triton_modules(monkeypatch):
    """The Triton modules Pallas lowers while the test runs (a list, filled as kernels lower), so a
    test can run Triton's own verifier on them without a GPU. Hooks a private JAX function
    (``jax._src.pallas.triton``): may need updating when JAX changes it."""
    from jax._src.pallas.triton import pallas_call_registration as registration

    modules = []
    lower = registration.lowering.lower_jaxpr_to_triton_module

    def keep(*args, **kw):
        modules.append(lower(*args, **kw))
        return modules[-1]

    monkeypatch.setattr(registration.lowering, "lower_jaxpr_to_triton_module", keep)
    return modules
