# The README's commands. `make test` is what CI runs (.ci/run).
VENV  ?= .venv
PY    := $(VENV)/bin/python
# On the dev machines `pip install torch==2.13.0` takes a CPU build from local disk.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed
# The suite in two pytest-xdist processes, a test file each at a time (a file's module-scoped
# servers and workers stay in one process): most tests wait on a worker, a server or a
# browser, so two overlap well on the 2-core dev machine (460 s against 820 s in one process,
# 2026-11-30; three took 481 s). `make test TEST_PROCESSES=0` runs it in this process.
TEST_PROCESSES ?= 2
# The full MLflow server (the importer's tests, bench/mlflow_ingest.py) in a venv of its own,
# so that its dependencies (SQLAlchemy, Flask, pandas, ...) never meet fitdoc's.
MLFLOW_VENV    ?= .venv-mlflow
MLFLOW_VERSION ?= 3.17.2
MLFLOW_STAMP   := $(MLFLOW_VENV)/.installed-$(MLFLOW_VERSION)
# The dashboard's chart library (uPlot, pinned in service/web/package-lock.json), copied
# where the API serves it; without npm the dashboard says its charts cannot be drawn.
WEB   := service/web/static/vendor/uPlot.esm.js

.PHONY: demo test serve worker lint openapi web bench-ingest bench-first-job bench-train mlflow-venv bench-mlflow clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

mlflow-venv: $(MLFLOW_STAMP)  ## .venv-mlflow: `mlflow server` for the importer's tests (~75 s once)
$(MLFLOW_STAMP):
	test -x $(MLFLOW_VENV)/bin/python || python3 -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/python -m pip install -q --upgrade pip
	$(MLFLOW_VENV)/bin/python -m pip install -q "mlflow==$(MLFLOW_VERSION)"
	touch $(MLFLOW_STAMP)

web: $(WEB)               ## the dashboard's assets (npm ci in service/web, copied to static/vendor)
$(WEB): service/web/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix service/web --no-audit --no-fund --loglevel=error && \
	  mkdir -p service/web/static/vendor && \
	  cp service/web/node_modules/uplot/dist/uPlot.esm.js \
	     service/web/node_modules/uplot/dist/uPlot.min.css service/web/static/vendor/; \
	else echo "npm not found: the dashboard will say that its chart assets are missing"; fi

demo: $(STAMP) $(WEB)     ## the main job: embedded service + worker, a few jobs, their diagnoses
	$(VENV)/bin/fitdoc demo

test: $(STAMP) $(WEB) $(MLFLOW_STAMP)     ## lint, the layering contracts, then every test (PostgreSQL/Redis tests need the local servers)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -n $(TEST_PROCESSES) --dist loadfile

serve: $(STAMP) $(WEB)
	$(VENV)/bin/fitdoc serve

worker: $(STAMP)
	$(VENV)/bin/fitdoc worker

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

openapi: $(STAMP)         ## regenerate openapi/openapi.json after changing the API
	$(VENV)/bin/fitdoc openapi

bench-ingest: $(STAMP)
	$(PY) bench/ingest.py

bench-first-job: $(STAMP) ## a fresh server's first POST /api/v1/jobs, 5 starts
	$(PY) bench/first_job_latency.py

bench-mlflow: $(STAMP) $(MLFLOW_STAMP) ## the stock client's log_batch into fitdoc vs into `mlflow server`
	$(PY) bench/mlflow_ingest.py

clean:
	rm -rf .fitdoc .pytest_cache
