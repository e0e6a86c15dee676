"""Alembic is the only way the schema is made: up from empty, down to empty, on both
databases, and the models never drift from the migrations."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from service.store import migrate
from tests.conftest import empty_database

TABLES = {
    "projects", "runs", "metrics", "latest_metrics", "diagnoses", "jobs", "tokens", "datasets",
    "experiments", "events", "event_cursors", "webhooks", "webhook_deliveries",
}


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_from_empty_and_downgrade_back(kind, tmp_path_factory, request):
    url = empty_database(kind, tmp_path_factory, request)
    assert tables(url) == set()
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)
    assert tables(url) == TABLES
    assert migrate.current_revision(url) == migrate.head_revision(url)
    # The ORM models and the migrations describe the same schema.
    command.check(migrate.alembic_config(url))

    migrate.downgrade(url)
    assert tables(url) == set()
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)  # and up again, as after a rollback
    assert tables(url) == TABLES


def test_sqlite_runs_in_wal_mode(tmp_path):
    from service.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_jobs_made_before_chains_become_the_first_of_their_own(kind, tmp_path_factory, request):
    from sqlalchemy import text

    url = empty_database(kind, tmp_path_factory, request)
    migrate.upgrade(url, "0001")
    engine = create_engine(url)
    now = "2026-11-01 00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (id, name, created_at) VALUES ('p', 'p', :t)"),
                     {"t": now})
        conn.execute(text(
            "INSERT INTO runs (id, project_id, name, status, source, job_id, params, tags, "
            "meta, created_at, updated_at, metrics_rev) VALUES ('r', 'p', 'r', 'finished', "
            "'job', 'j', '{}', '{}', '{}', :t, :t, 0)"), {"t": now})
        conn.execute(text(
            "INSERT INTO jobs (id, run_id, status, spec, epoch, epochs, attempts, "
            "cancel_requested, created_at, updated_at) VALUES ('j', 'r', 'succeeded', '{}', "
            "3, 3, 1, false, :t, :t)"), {"t": now})
    migrate.upgrade(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT root_id, round, parent_id, repair_rounds, "
                                "repair_state FROM jobs")).one()
    engine.dispose()
    assert tuple(row) == ("j", 0, None, 0, None)
