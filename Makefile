# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# JAX's persistent compilation cache: a repeated run does not compile again.
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.cache/jax
export MPLBACKEND ?= Agg

.PHONY: demo test bench install clean browser lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,lab,nmodl,neuroml,nwb]'
	@$(MAKE) --no-print-directory browser
	touch $(STAMP)

# Debian's Chromium, for the tour's browser test (tests/interfaces/tour/test_tour.py drives it with
# Playwright; no browser download). Installed when missing and we are root, as on a fresh CI machine.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian chromium (for the tour's browser test)"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else echo "note: $(CHROMIUM) is missing and we are not root: the tour's browser test will be skipped"; fi

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/excitable tour --out report/; rc=$$?; \
	echo "report written to report/index.html (open it in a browser; each experiment's files in report/NAME/)"; \
	exit $$rc

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -q --durations=25

# The lab: every experiment live in the browser (a local web app on 127.0.0.1; Ctrl-C stops it).
lab: $(STAMP)
	@$(BIN)/python -c 'import fastapi, uvicorn, plotly, multipart' 2>/dev/null || \
		$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/excitable lab

# The benchmarks also compare with Jaxley: the `bench` extra (not installed by demo/test).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,lab,nmodl,neuroml,nwb,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .cache report
