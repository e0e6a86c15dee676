"""The stores' unit of work, on SQLite and PostgreSQL: a `tx` carries one transaction
through several store functions; create_job is one transaction; the compiled metric SQL."""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from service.errors import NotFound
from service.schemas import MetricPoint, RunCreate
from service.store import Stores
from service.store.db import DriverSQL
from service.store.models import RunRow

pytestmark = pytest.mark.integration


@pytest.fixture
def stores(database_url) -> Stores:
    return Stores.open(database_url)


@contextmanager
def counting_transactions(stores: Stores):
    begun: list[int] = []

    def on_begin(_conn) -> None:  # type: ignore[no-untyped-def]
        begun.append(1)

    event.listen(stores.db.engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(stores.db.engine, "begin", on_begin)


def count_runs(stores: Stores) -> int:
    with stores.db.read() as tx:
        return tx.scalar(select(func.count()).select_from(RunRow))


def points(key: str, *steps_values: tuple[int, float | str]) -> list[MetricPoint]:
    return [MetricPoint(key=key, step=s, value=v) for s, v in steps_values]


def test_create_job_makes_project_run_and_job_in_one_transaction(stores, unique):
    with counting_transactions(stores) as begun:
        job = stores.jobs.create_job(RunCreate(project=f"one-{unique}"), {"x": 1}, epochs=2)
    assert len(begun) == 1
    assert stores.tracking.get_run(job.run_id).project == f"one-{unique}"
    assert stores.jobs.get_job(job.id).project == f"one-{unique}"


def test_a_failure_after_the_run_insert_leaves_no_project_and_no_run(stores, unique, monkeypatch):
    made: list[str] = []
    create_run = stores.tracking.create_run

    def create_run_then_fail(*args, **kwargs):
        made.append(create_run(*args, **kwargs).id)
        raise RuntimeError("the job's insert fails")

    monkeypatch.setattr(stores.tracking, "create_run", create_run_then_fail)
    before = count_runs(stores)
    with pytest.raises(RuntimeError):
        stores.jobs.create_job(RunCreate(project=f"gone-{unique}"), {"x": 1}, epochs=2)

    assert made  # the run was inserted, in the job's transaction...
    monkeypatch.undo()
    with pytest.raises(NotFound):  # ...which rolled it back with the new project
        stores.tracking.get_run(made[0])
    with pytest.raises(NotFound):
        stores.tracking.get_project(f"gone-{unique}")
    assert count_runs(stores) == before


def test_one_tx_through_several_stores_commits_or_rolls_back_as_one(stores, unique):
    with pytest.raises(RuntimeError):
        with stores.db.write() as tx:
            run = stores.tracking.create_run(RunCreate(project=f"uow-{unique}"), tx=tx)
            stores.tracking.log_metrics(run.id, points("loss", (0, 1.0)), tx=tx)
            assert stores.tracking.read_series(run.id, tx=tx) == {"loss": [(0, 1.0)]}
            raise RuntimeError("the caller fails after its store calls")
    with pytest.raises(NotFound):
        stores.tracking.get_project(f"uow-{unique}")

    with stores.db.write() as tx:
        run = stores.tracking.create_run(RunCreate(project=f"uow-{unique}"), tx=tx)
        job = stores.jobs.create_job(RunCreate(project=f"uow-{unique}"), {}, epochs=1, tx=tx)
    assert stores.tracking.get_run(run.id).project == stores.jobs.get_job(job.id).project


def test_the_series_cache_follows_only_committed_writes(stores, unique):
    run = stores.tracking.create_run(RunCreate(project=f"cache-{unique}"))
    stores.tracking.log_metrics(run.id, points("loss", (0, 1.0)))
    inputs = stores.diagnoses.diagnosis_inputs(run.id, "test")  # fills the cache
    cache = stores.diagnoses.series_cache
    assert cache.get(run.id, inputs.metrics_rev) == {"loss": [(0, 1.0)]}

    with pytest.raises(RuntimeError):
        with stores.db.write() as tx:
            stores.tracking.log_metrics(run.id, points("loss", (1, 0.5)), tx=tx)
            raise RuntimeError("rolled back")
    assert cache.get(run.id, inputs.metrics_rev) == {"loss": [(0, 1.0)]}
    assert cache.get(run.id, inputs.metrics_rev + 1) is None

    with stores.db.write() as tx:
        stores.tracking.log_metrics(run.id, points("loss", (1, 0.5)), tx=tx)
        assert cache.get(run.id, inputs.metrics_rev + 1) is None  # not before the commit
    assert cache.get(run.id, inputs.metrics_rev + 1) == {"loss": [(0, 1.0), (1, 0.5)]}


def test_a_read_transaction_cannot_be_given_to_a_writer(stores, unique):
    with stores.db.read() as tx:
        with pytest.raises(TypeError):
            stores.tracking.create_run(RunCreate(project=f"ro-{unique}"), tx=tx)


def test_concurrent_runs_of_a_new_project_all_land_in_one_project(stores, unique):
    name, threads = f"race-{unique}", 8
    barrier = threading.Barrier(threads)
    made, failed = [], []

    def create() -> None:
        barrier.wait()
        try:
            made.append(stores.jobs.create_job(RunCreate(project=name), {}, epochs=1))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            failed.append(exc)

    workers = [threading.Thread(target=create) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failed == [] and len(made) == threads
    project = stores.tracking.get_project(name)
    assert {job.project for job in made} == {name}
    assert len(stores.tracking.list_runs(limit=50, project=project.id).items) == threads


def test_metric_upserts_keep_the_last_write_and_latest_only_moves_forward(stores, unique):
    run = stores.tracking.create_run(RunCreate(project=f"up-{unique}"))
    stores.tracking.log_metrics(run.id, points("acc", (0, 0.1), (1, 0.2)) + points("l", (5, 1)))
    stores.tracking.log_metrics(run.id, points("acc", (1, "NaN"), (0, 0.3)))
    stores.tracking.log_metrics(run.id, points("l", (2, 9.0)))  # an earlier step
    series = stores.tracking.read_series(run.id)
    assert series["acc"][0] == (0, 0.3) and series["acc"][1][0] == 1
    assert math.isnan(series["acc"][1][1])
    assert series["l"] == [(2, 9.0), (5, 1.0)]
    assert stores.tracking.read_series(run.id, ["l", "nope"]) == {"l": [(2, 9.0), (5, 1.0)]}
    assert stores.tracking.get_run(run.id).latest == {"acc": "NaN", "l": 1.0}


def test_driver_sql_gives_the_rows_in_the_compiled_parameter_order():
    sql = DriverSQL("INSERT ...", ("b", "c", "a"))
    assert sql.rows(("a", "b", "c"), [(1, 2, 3)]) == [(2, 3, 1)]
    rows = [(1, 2, 3)]
    assert DriverSQL("x", ("a", "b", "c")).rows(("a", "b", "c"), rows) is rows
    assert sql.args(a=1, b=2, c=3) == (2, 3, 1)
