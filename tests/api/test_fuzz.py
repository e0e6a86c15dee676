"""schemathesis over every operation of the OpenAPI document, on SQLite and on PostgreSQL,
with all of its checks (issue 12).

Each database gets an app of its own (a fresh, migrated database), so the thousands of
projects and runs the fuzzer makes do not slow the other tests' shared databases.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.store import migrate
from tests.conftest import empty_database
from tests.utils.factories import make_run, points

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 100  # per operation, per generation mode (positive and negative)
# The same cases on every run, so that `make test` does not fail by chance on a finding
# that another run would not make; FITDOC_FUZZ_RANDOM=1 explores new ones.
DETERMINISTIC = os.environ.get("FITDOC_FUZZ_RANDOM", "") in ("", "0")

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": DETERMINISTIC,
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
CASES: Counter[str] = Counter()
STATUSES: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_app(request, tmp_path_factory):
    """(database kind, app, ids of things that exist), on a fresh database of that kind."""
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.settings import Settings

    url = empty_database(request.param, tmp_path_factory, request)
    migrate.upgrade(url)
    data = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    settings = Settings(  # the filesystem broker: a job is queued in the data dir
        database_url=url,
        data_dir=data,
        # the fuzzer's thousands of requests and accepted jobs are not what is tested here
        requests_per_minute=10**9,
        max_active_jobs_per_token=10**9,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        ids = _seed(client)
    started = time.monotonic()
    yield request.param, app, ids
    statuses = sorted((s, n) for (k, s), n in STATUSES.items() if k == request.param)
    print(
        f"\nschemathesis on {request.param}: {CASES[request.param]} cases in "
        f"{time.monotonic() - started:.0f} s; statuses {statuses}"
    )
    app.state.stores.db.dispose()


def _seed(client) -> dict[str, list[str]]:
    """A run with curves (so a diagnosis has something to read), a queued job and a
    cancelled one (ended: it can have follow-ups), for generated ids to be replaced by."""
    run = make_run(client, "fuzz-seed", params={"lr": 0.1})
    client.post(
        f"/api/v1/runs/{run['id']}/metrics",
        json={"metrics": points("train_loss", range(20)) + points("val_loss", range(20))},
    ).raise_for_status()
    job = {
        "project": "fuzz-seed",
        "spec": {"dataset": {"name": "wine"}, "model": {"arch": "mlp"},
                 "optimizer": {"name": "adam"}},
    }
    queued = client.post("/api/v1/jobs", json=job).json()
    ended = client.post("/api/v1/jobs", json=job).json()
    client.post(f"/api/v1/jobs/{ended['id']}/cancel").raise_for_status()
    return {
        "run_id": [run["id"], queued["run_id"]],
        "job_id": [queued["id"], ended["id"]],
    }


def _document() -> dict:
    """The app's OpenAPI document (the same for every database)."""
    from service.api.app import create_app
    from service.settings import Settings

    return create_app(Settings(database_url="sqlite://")).openapi()


# Loaded at import: schemathesis's lazy `from_fixture` does not run under pytest 9.
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


# Schema-valid requests the API rightly answers 422, by operation and the error's field:
# rules JSON Schema cannot state. Every other rejection of valid data fails the test.
JUSTIFIED_422 = {
    # The catalogue's rules that tie a spec's fields together (check_spec: model vs data,
    # options an optimizer or schedule would ignore, ...) and the settings' limits.
    ("POST", "/api/v1/jobs"): ("spec.",),
    # The same rules on the parent's spec with the patch merged in; a patch that changes
    # nothing; a suggestion index the run's diagnosis does not have.
    ("POST", "/api/v1/jobs/{job_id}/follow-up"): ("patch", "suggestion"),
    # A token of every project (no project) must be an admin's: a rule between two fields.
    ("POST", "/api/v1/tokens"): ("project",),
    # An upload is `format: binary`; that it is an npz with arrays x and y of agreeing
    # shapes, dtypes and labels is read from its bytes (`file`, `file.y`, ...).
    ("POST", "/api/v1/datasets"): ("file",),
    # An experiment: the same spec rules (on the spec and on the specs its kind derives
    # from it), and each kind's own options, which the document leaves as an object
    # (`options`, `options.folds`, ...).
    ("POST", "/api/v1/experiments"): ("spec", "options"),
    # A webhook's URL must parse as http(s) with a host that resolves, and not to a
    # link-local or metadata address: DNS and address ranges, not a string pattern.
    ("POST", "/api/v1/webhooks"): ("url",),
    # `types` is a comma-separated list of the event types the description names; the
    # document gives it as a string.
    ("GET", "/api/v1/events"): ("types",),
}
# On every list: a cursor is opaque, and only one this server issued reads (it names the
# last item of a page); any other string is a 422.
JUSTIFIED_EVERYWHERE = ("cursor",)


def positive_data_acceptance_as_justified(ctx, response, case):
    """schemathesis's positive_data_acceptance, less the 422s of JUSTIFIED_422."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        fields = JUSTIFIED_422.get((case.method.upper(), case.path), ()) + JUSTIFIED_EVERYWHERE
        field = response.json().get("error", {}).get("field") or ""
        if response.status_code == 422 and field.startswith(fields):
            return None
        raise


@schema.parametrize()
@settings(deadline=None)
def test_every_operation(fuzz_app, case):
    kind, app, ids = fuzz_app
    CASES[kind] += 1
    if case.meta is not None and case.meta.generation.mode.is_positive:
        # A generated id names nothing (404); about half of them are swapped for an id that
        # exists, so the operations behind the lookup are fuzzed too.
        for name, value in (case.path_parameters or {}).items():
            if name in ids and len(str(value)) % 2 == 0:
                case.path_parameters[name] = ids[name][len(str(value)) // 2 % len(ids[name])]
    response = case.call_and_validate(
        app=app,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_as_justified],
    )
    STATUSES[kind, response.status_code] += 1
