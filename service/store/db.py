"""Engine, transactions and the SQL the driver runs: the one place that opens, commits,
rolls back and translates DB errors.

A unit of work is a `Tx`: the session of one transaction, from `Database.write()` (or
`read()`). Every store function takes an optional `tx`: given one, it runs inside that
transaction and leaves committing to its owner; without one, it opens and commits its own.
So a caller can pass one `tx` through several store functions and have them succeed or fail
together.

Creating an engine does no work on the database (no migrations, no default rows):
`fitdoc migrate` does that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement

from service.errors import Conflict, NotFound, Unavailable

Tx = Session
"""A unit of work: the session of one open transaction (see the module's docstring)."""

# Each dialect's INSERT, for its ON CONFLICT clauses.
INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

_WRITABLE = "fitdoc.writable"
_AFTER_COMMIT = "fitdoc.after_commit"


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything fitdoc stores is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


M = TypeVar("M", bound=BaseModel)
V = TypeVar("V")


def to_model(model: type[M], row: Any, **extra: Any) -> M:
    """The API model of an ORM row: the row's columns that the model has (datetimes made
    aware), and `extra` for the fields that are not columns of the row."""
    columns = row.__table__.columns
    values = {
        name: getattr(row, name)
        for name in model.model_fields
        if name in columns and name not in extra
    }
    for name, value in values.items():
        if isinstance(value, datetime):
            values[name] = aware(value)
    return model(**values, **extra)


def found(value: V | None, what: str, key: str, field: str | None = None) -> V:
    """`value`, or NotFound for the missing `what` (a row) that `key` names."""
    if value is None:
        raise NotFound.missing(what, key, field)
    return value


POOL_SIZE, POOL_OVERFLOW = 5, 10


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # At most POOL_SIZE + POOL_OVERFLOW connections per process: several API processes and
    # workers share one server (PostgreSQL allows 100 by default). At 10 + 20 a process,
    # two API processes under concurrent writers and a test run's other servers reached
    # "too many clients" and answered 500; past the pool a request waits for a connection
    # (pool_timeout, 30 s) instead.
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                         pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transactions out of pysqlite's hands so that BEGIN is ours (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer commits; NORMAL sync is durable across
        # application crashes (only an OS crash can lose the last commits) and much faster.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # A write transaction takes the write lock at BEGIN. A deferred one that read first
        # and then writes can fail with SQLITE_BUSY at once (the busy timeout does not help
        # a lock upgrade), which concurrent metric posts would hit.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def unreachable(exc: BaseException) -> bool:
    """Whether a database error says the server cannot serve now (no connection: refused,
    shut down, too many clients, the pool's wait over; SQLite's file locked past its busy
    timeout), not that the statement was wrong: a retry later may succeed."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if exc.connection_invalidated:
        return True
    # psycopg raises OperationalError only for the connection and the server's state (an
    # SQL error is a ProgrammingError, DataError, ...); sqlite3 also for a wrong statement
    orig = exc.orig
    if type(orig).__module__.startswith("psycopg"):
        return True
    return "locked" in str(orig) or "unable to open" in str(orig)


def _unavailable(exc: BaseException) -> Unavailable:
    return Unavailable(f"the database cannot be reached or is busy: "
                       f"{str(getattr(exc, 'orig', None) or exc).strip().splitlines()[0]}")


class Database:
    """Owns an engine and hands out transactions (`read()` / `write()`). A database that
    cannot serve (see `unreachable`) is Unavailable (503 with Retry-After), not a 500."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect
        self.is_sqlite = self.dialect.name == "sqlite"
        self.insert = INSERT[self.dialect.name]
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        writer_bind = (
            self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        )
        self._writer = sessionmaker(writer_bind, expire_on_commit=False)

    @contextmanager
    def read(self, tx: Tx | None = None) -> Iterator[Tx]:
        """A transaction to read in: `tx` itself when given (a read or a write one), else
        a new one, ended when the block ends."""
        if tx is not None:
            yield tx
            return
        # Closing (not rolling back) ends the transaction and leaves the loaded rows usable.
        try:
            with self._reader() as session:
                yield session
        except (OperationalError, PoolTimeout) as exc:
            if unreachable(exc):
                raise _unavailable(exc) from exc
            raise

    @contextmanager
    def write(self, tx: Tx | None = None) -> Iterator[Tx]:
        """A transaction to write in: `tx` itself when given (its owner commits it), else a
        new one, committed when the block ends without an error and rolled back otherwise;
        a constraint violation becomes Conflict. Callbacks registered by `after_commit` run
        once the outermost transaction has committed."""
        if tx is not None:
            if not tx.info.get(_WRITABLE):
                raise TypeError("a read transaction was given to a store function that writes")
            yield tx
            return
        with self._writer() as session:
            session.info[_WRITABLE] = True
            try:
                yield session
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                raise Conflict(f"conflicts with existing data: {exc.orig}") from exc
            except (OperationalError, PoolTimeout) as exc:
                with suppress(OperationalError, PoolTimeout):  # the connection may be gone
                    session.rollback()
                if unreachable(exc):
                    raise _unavailable(exc) from exc
                raise
            except BaseException:
                session.rollback()
                raise
            callbacks = session.info.pop(_AFTER_COMMIT, [])
        for callback in callbacks:
            callback()

    @staticmethod
    def after_commit(tx: Tx, callback: Callable[[], None]) -> None:
        """Run `callback` once the write transaction `tx` has committed (never if it rolls
        back): for what lives outside the database, like a process-local cache."""
        if not tx.info.get(_WRITABLE):
            raise TypeError("after_commit needs a write transaction")
        tx.info.setdefault(_AFTER_COMMIT, []).append(callback)

    def ping(self) -> str:
        """One trivial query; the dialect's name."""
        with self.read() as tx:
            tx.execute(text("SELECT 1"))
        return self.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class DriverSQL:
    """A Core statement compiled for the driver's own cursor (`exec_driver_sql`,
    `cursor.execute`): positional placeholders, and the names of its parameters in the
    order the compiled text takes them."""

    text: str
    params: tuple[str, ...]

    def args(self, **values: Any) -> tuple[Any, ...]:
        return tuple(values[name] for name in self.params)

    def rows(self, names: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple]:
        """`rows`, tuples of the columns `names`, as this statement's parameters."""
        if names == self.params:
            return rows
        arrange = itemgetter(*(names.index(name) for name in self.params))
        return [arrange(row) for row in rows]


def driver_sql(statement: ClauseElement, dialect: type[Dialect]) -> DriverSQL:
    """`statement` compiled with `dialect`'s positional placeholders (`?` for sqlite3, `%s`
    for psycopg). Compile once per dialect (the callers cache it): it is the hot paths'
    text, and compiling costs more than running it."""
    style = "qmark" if dialect.name == "sqlite" else "format"
    compiled = statement.compile(dialect=dialect(paramstyle=style))
    return DriverSQL(compiled.string, tuple(compiled.positiontup or ()))


@lru_cache
def database_for(url: str) -> Database:
    return Database(url)
