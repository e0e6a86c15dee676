"""A broker that is down does not fail a submission: the job waits in the outbox (queued,
unsent) and the sweeper sends it once the broker is back."""

from __future__ import annotations

import time

import pytest

from service.queue import make_celery
from service.schemas import JobStatus
from service.store import migrate
from service.sweep import sweep

pytestmark = pytest.mark.integration

JOB = {
    "project": "outbox",
    "spec": {
        "dataset": {"name": "wine"},
        "model": {"arch": "mlp"},
        "optimizer": {"name": "adam"},
        "training": {"epochs": 1},
    },
}


@pytest.fixture
def own_database(tmp_path) -> str:
    """A database of the test's own: the sweeper sends every due job it finds."""
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    migrate.upgrade(url)
    return url


def test_a_job_submitted_while_the_broker_is_down_is_queued_and_sent_later(
    settings, own_database, tmp_path, unique
):
    from fastapi.testclient import TestClient

    from service.api.app import create_app

    down = settings.model_copy(  # nobody listens there
        update={"broker_url": "redis://127.0.0.1:1/0", "database_url": own_database})
    app = create_app(down)
    with TestClient(app) as client:
        started = time.monotonic()
        answer = client.post("/api/v1/jobs", json={**JOB, "project": f"outbox-{unique}"})
        waited = time.monotonic() - started
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["status"] == "queued" and waited < 10  # the request is not held for long
    stores = app.state.stores
    assert job["id"] in stores.jobs.due_for_sending(resend_after=3600)

    # the broker is back (here: a filesystem broker of its own) and the sweeper runs
    up = settings.model_copy(update={"broker_url": "", "data_dir": tmp_path})
    queue = make_celery(up)
    report = sweep(stores, queue, up)
    assert report.sent >= 1 and report.unsent == 0
    assert job["id"] not in stores.jobs.due_for_sending(resend_after=3600)
    sent = list((tmp_path / "broker" / "queue").iterdir())
    assert any(job["id"] in path.read_text(errors="replace") for path in sent)
    assert stores.jobs.get_job(job["id"]).status == JobStatus.queued


def test_the_sweeper_reports_what_the_broker_would_not_take(settings, own_database, unique):
    from service.api.app import create_app

    down = settings.model_copy(
        update={"broker_url": "redis://127.0.0.1:1/0", "database_url": own_database})
    app = create_app(down)
    stores = app.state.stores
    from service.schemas import RunCreate

    job = stores.jobs.create_job(RunCreate(project=f"outbox-{unique}"),
                                 {"dataset": {"name": "wine"}}, epochs=1)
    report = sweep(stores, app.state.queue, down)
    assert report.unsent == 1 and report.sent == 0
    assert job.id in stores.jobs.due_for_sending(resend_after=3600)
