# The README's commands. `make test` is what CI runs (.ci/run).
VENV  ?= .venv
PY    := $(VENV)/bin/python
# On the dev machines `pip install torch==2.13.0` takes a CPU build from local disk.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed
# The full MLflow server (the importer's tests, bench/mlflow_ingest.py) in a venv of its own,
# so that its dependencies (SQLAlchemy, Flask, pandas, ...) never meet fitdoc's.
MLFLOW_VENV    ?= .venv-mlflow
MLFLOW_VERSION ?= 3.17.2
MLFLOW_STAMP   := $(MLFLOW_VENV)/.installed-$(MLFLOW_VERSION)

.PHONY: demo test serve worker lint openapi bench-ingest bench-first-job bench-train mlflow-venv bench-mlflow clean

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

demo: $(STAMP)            ## the main job: embedded service + worker, a few jobs, their diagnoses
	$(VENV)/bin/fitdoc demo

test: $(STAMP) $(MLFLOW_STAMP)            ## lint, the layering contracts, then every test (PostgreSQL/Redis tests need the local servers)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

serve: $(STAMP)
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
