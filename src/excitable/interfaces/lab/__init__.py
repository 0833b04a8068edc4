"""The lab: every experiment live in a browser (``excitable lab``), for one learner or a class.

A local web app (FastAPI + uvicorn, an optional extra: ``pip install 'excitable[lab]'``). The server
side lives here; the pages are static files in ``static/`` (HTML, CSS, JS, plotly.js served from the
``plotly`` package: no CDN, no build step). The HTTP contract between the two is docs/lab-api.md.

  catalog.py      the experiments as the pages list them (declarations, mechanism, views; no JAX)
  payload.py      a Result as JSON for the pages (downsampled traces, space-time map, raster)
  views.py        what each kind of page draws, read from what each Result records
  runner.py       the bounded worker pool: cache, queue limit, time limit, cancellation, warm-up
  guards.py       the lab's own, stricter limits, checked before a run starts
  script.py       the CLI line and the Python script that reproduce a run
  sensitivity.py  which knob matters: d ln(y)/d ln(p) by gradients through the simulation
  ions.py         Nernst and GHK in closed form, with the numbers substituted
  uploads.py      SWC uploads, parsed by the CLI's parser and kept in memory
  app.py          the FastAPI application (pages and API); ``serve`` starts uvicorn

Example:
    >>> from excitable.interfaces.lab.app import create_app      # doctest: +SKIP
    >>> from fastapi.testclient import TestClient                # doctest: +SKIP
    >>> TestClient(create_app()).post("/api/run/action-potential", json={"params": {"amplitude": 20}})
"""
