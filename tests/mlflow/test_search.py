"""MLflow's search language as fitdoc reads it (service/mlflow/search.py): what each filter
becomes, and the refusals, in MLflow's error code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.mlflow.errors import MlflowError
from service.mlflow.search import (
    decode_token,
    encode_token,
    experiment_clauses,
    run_clauses,
    run_orderings,
)
from service.mlflow.tracking import sample_steps
from service.store.mlflow import Clause, Ordering


def test_run_filters_become_clauses():
    assert run_clauses("metrics.val_loss < 0.5 AND params.lr = '0.1' and tags.team != 'x'") == [
        Clause("metric", "val_loss", "<", 0.5),
        Clause("param", "lr", "=", "0.1"),
        Clause("tag", "team", "!=", "x"),
    ]
    assert run_clauses("metrics.`val loss` >= -1e-3 AND params.\"a.b\" LIKE '%x%'") == [
        Clause("metric", "val loss", ">=", -0.001), Clause("param", "a.b", "LIKE", "%x%")]
    assert run_clauses("tags.mlflow.runName = 'r1'") == [
        Clause("attribute", "run_name", "=", "r1")]
    assert run_clauses("tags.fitdoc.diagnosis IN ('overfitting', 'stuck')") == [
        Clause("diagnosis", "status", "IN", ("overfitting", "stuck"))]
    assert run_clauses("attributes.status = 'FINISHED' AND run_id NOT IN ('a', 'b')") == [
        Clause("attribute", "status", "=", "finished"),
        Clause("attribute", "run_id", "NOT IN", ("a", "b")),
    ]
    assert run_clauses("attribute.start_time >= 1000") == [
        Clause("attribute", "start_time", ">=", datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))]
    assert run_clauses("params.name = 'it''s'") == [Clause("param", "name", "=", "it's")]
    assert run_clauses("") == [] and run_clauses(None) == []


@pytest.mark.parametrize("bad", [
    "metrics.loss = 'low'",            # a metric is a number
    "params.lr > 1",                   # a param is text
    "metrics.a < 1 OR metrics.b < 1",  # no OR
    "metrics.a <",                     # no value
    "tags.x NOT LIKE 'y'",
    "colour.x = 'y'",                  # no such entity
    "attributes.artifact_uri = 'x'",   # not an attribute fitdoc searches
    "metrics.a < 1 metrics.b < 2",     # no AND
    "params.x IN 'a'",
    'tags.`a"b` = \'x\'',            # a key SQLite's JSON paths cannot hold
    "attributes.start_time > 1e300",   # no such time
])
def test_what_is_not_read_is_invalid(bad):
    with pytest.raises(MlflowError) as refused:
        run_clauses(bad)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"


def test_orderings_and_experiment_filters():
    assert run_orderings(["metrics.val_loss DESC", "attributes.start_time", "tags.`a b` asc"]) == [
        Ordering("metric", "val_loss", False), Ordering("attribute", "start_time", True),
        Ordering("tag", "a b", True)]
    assert experiment_clauses("name LIKE 'mnist%' AND tags.owner = 'lab'") == [
        Clause("attribute", "name", "LIKE", "mnist%"), Clause("tag", "owner", "=", "lab")]
    with pytest.raises(MlflowError):
        experiment_clauses("metrics.x < 1")


def test_page_tokens_round_trip_and_strangers_are_refused():
    assert decode_token(encode_token(offset=40), "offset") == 40
    assert decode_token(None, "offset") == 0
    for bad in ("not a token", encode_token(other=1), "e30="):
        with pytest.raises(MlflowError):
            decode_token(bad, "offset")


def test_bulk_sampling_keeps_ends_and_bounds_the_count():
    runs = [list(range(0, 1000, 10)), list(range(5, 505, 5))]
    chosen = sample_steps(runs, 20)
    assert {0, 990, 5, 500} <= chosen and len(chosen) <= 24
    assert sample_steps([[1, 2, 3]], 10) == {1, 2, 3}
