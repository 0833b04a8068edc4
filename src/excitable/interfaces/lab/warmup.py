"""Warm-up: the single-compartment pages run once with their defaults when the lab starts (in the
background), so their programs are compiled and cached before the first slider moves; then the
batching pages compile their vmapped programs for every batch size a class may send (``run_many``
pads a batch to a power of 2: 2, 4, ... 32), which otherwise stall the first class for a second or
two per size."""

from __future__ import annotations

import logging

#: The pages a learner meets first, single compartments: fast once compiled.
WARM = ("action-potential", "gates-overlap", "membrane-currents", "all-or-none", "hyper-depolarization")
#: Batch sizes compiled at start for the pages that batch (``batcher.MAX_BATCH`` is the largest).
BATCH_SIZES = (2, 4, 8, 16, 32)


def warm_up(runner, names=WARM) -> None:
    import asyncio

    from excitable.interfaces.lab import api

    log = logging.getLogger("excitable.lab")
    for name in names:
        exp = api.declared(name)
        values = exp.resolve({})
        try:
            asyncio.run(runner.run(api.cache_key("run", name, values), lambda: api.run_payload(exp, values)))
        except Exception:  # noqa: BLE001 - a warm-up that fails only leaves that page cold
            log.exception("warm-up of %s failed", name)
    from excitable import experiments
    from excitable.experiments.common.batching import run_many

    for name in names:
        if experiments.declaration(name).batches:
            for n in BATCH_SIZES:
                try:
                    run_many(name, [{"tstop": experiments.declaration(name).params["tstop"].default}] * n)
                except Exception:  # noqa: BLE001
                    log.exception("batch warm-up of %s failed", name)
    runner.warm = True
