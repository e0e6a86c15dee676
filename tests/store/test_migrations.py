"""Alembic is the only way the schema is made: up from empty, down to empty, on both
databases, and the models never drift from the migrations."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from service.store import migrate
from tests.conftest import empty_database

TABLES = {"projects", "runs", "metrics", "latest_metrics", "diagnoses", "jobs"}


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
