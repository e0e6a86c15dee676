# The README's commands. `make test` is what CI runs (.ci/run).
VENV  ?= .venv
PY    := $(VENV)/bin/python
# On the dev machines `pip install torch==2.13.0` takes a CPU build from local disk.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: demo test serve worker lint openapi bench-ingest bench-first-job bench-train clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)            ## the main job: embedded service + worker, a few jobs, their diagnoses
	$(VENV)/bin/fitdoc demo

test: $(STAMP)            ## lint, the layering contracts, then every test (PostgreSQL/Redis tests need the local servers)
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

clean:
	rm -rf .fitdoc .pytest_cache
