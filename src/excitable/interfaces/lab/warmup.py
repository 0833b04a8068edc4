"""Warm-up: the single-compartment pages run once with their defaults when the lab starts (in the
background), so their programs are compiled and cached before the first slider moves."""

from __future__ import annotations

import logging

#: The pages a learner meets first, single compartments: fast once compiled.
WARM = ("action-potential", "gates-overlap", "membrane-currents", "all-or-none", "hyper-depolarization")


def warm_up(runner, names=WARM) -> None:
    import asyncio

    from excitable.interfaces.lab import api

    for name in names:
        exp = api.declared(name)
        values = exp.resolve({})
        try:
            asyncio.run(runner.run(api.cache_key("run", name, values), lambda: api.run_payload(exp, values)))
        except Exception:  # noqa: BLE001 - a warm-up that fails only leaves that page cold
            logging.getLogger("excitable.lab").exception("warm-up of %s failed", name)
