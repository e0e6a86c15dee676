"""MLflow's search language, the subset fitdoc answers: filters of comparisons joined with
AND, `order_by` clauses, and the page tokens of a search.

Runs: `metrics.<key> <op> <number>` (the key's latest value; = != < <= > >=),
`params.<key>` and `tags.<key>` `<op> '<text>'` (= != LIKE ILIKE, IN / NOT IN ('a', 'b')),
`attributes.<name>`: `run_id`, `run_name`, `status` as text, `start_time`, `end_time` (ms
since the epoch) as numbers. `tags.mlflow.runName` is the run's name and
`tags.fitdoc.diagnosis` its stored diagnosis's status. Experiments: `name`,
`creation_time`, `last_update_time`, `experiment_id`, `tags.<key>`. A key with other
characters is quoted: metrics.`val loss` or metrics."val loss". OR is refused (MLflow has
none either).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from service.mlflow.errors import MlflowError
from service.schemas import MAX_STEP, RunStatus
from service.store.mlflow import Clause, Kind, Ordering

DIAGNOSIS_TAG = "fitdoc.diagnosis"
RUN_NAME_TAG = "mlflow.runName"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ident>[A-Za-z_][\w:/-]*(?:\.(?:`[^`]*`|"[^"]*"|[\w:/-]+))*|`[^`]*`)
    | (?P<str>'(?:[^']|'')*'|"[^"]*")
    | (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<op><=|>=|!=|<>|==|=|<|>)
    | (?P<punct>[(),])
    )""",
    re.X,
)
_ENTITIES: dict[str, Kind] = {
    "metric": "metric", "metrics": "metric",
    "param": "param", "params": "param", "parameter": "param", "parameters": "param",
    "tag": "tag", "tags": "tag",
    "attribute": "attribute", "attributes": "attribute", "attr": "attribute",
    "run": "attribute",
}
_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=")
_TEXT_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
RUN_TIME_ATTRIBUTES = {"start_time": "start_time", "created": "start_time",
                       "end_time": "end_time"}
RUN_TEXT_ATTRIBUTES = {"run_id": "run_id", "run_name": "run_name", "status": "status"}
EXPERIMENT_TIME_ATTRIBUTES = {"creation_time": "creation_time",
                              "last_update_time": "last_update_time"}
EXPERIMENT_TEXT_ATTRIBUTES = {"name": "name", "experiment_id": "experiment_id"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(source: str) -> list[_Token]:
    out, at = [], 0
    source = source.strip()
    while at < len(source):
        match = _TOKEN.match(source, at)
        if match is None or match.end() == at:
            raise MlflowError.invalid(
                f"Invalid filter {source!r}: cannot read it from {source[at:at + 20]!r}"
            )
        kind = match.lastgroup or ""
        out.append(_Token(kind, match.group(kind)))
        at = match.end()
        while at < len(source) and source[at].isspace():
            at += 1
    return out


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "`\"'":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner
    return text


def _identifier(text: str) -> tuple[str | None, str]:
    """'metrics.val_loss' -> ('metrics', 'val_loss'); 'tags.`a b`' -> ('tags', 'a b');
    'run_name' -> (None, 'run_name'). A key with a quote or a backslash is refused (no
    key MLflow logs has one; SQLite's JSON paths cannot take one)."""
    if text.startswith("`"):
        entity, key = None, _unquote(text)
    else:
        entity, dot, key = text.partition(".")
        entity, key = (entity, _unquote(key)) if dot else (None, text)
    if any(c in key for c in "\\\"`\x00") or not key:
        raise MlflowError.invalid(f"Invalid key {key!r} in a search: no quotes or backslashes")
    return entity, key


def ms_to_datetime(value: float, name: str = "time") -> datetime:
    """Milliseconds since the epoch as a datetime (INVALID_PARAMETER_VALUE out of range)."""
    try:
        return EPOCH + timedelta(milliseconds=value)
    except (OverflowError, ValueError):
        raise MlflowError.invalid(f"Invalid value {value} for parameter '{name}': "
                                  "milliseconds since 1970 are expected") from None


def ms_of(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True)
class _Comparison:
    entity: str | None
    key: str
    op: str
    value: Any  # str, float, or tuple of str
    numeric: bool  # the value was a number


def _comparisons(source: str | None) -> list[_Comparison]:
    if not source or not source.strip():
        return []
    tokens = _tokens(source)
    out: list[_Comparison] = []
    i = 0

    def word(j: int) -> str:
        return tokens[j].text.upper() if j < len(tokens) and tokens[j].kind == "ident" else ""

    def fail(why: str) -> MlflowError:
        return MlflowError.invalid(f"Invalid filter {source!r}: {why}")

    while True:
        if i >= len(tokens) or tokens[i].kind != "ident":
            raise fail("expected an identifier such as metrics.val_loss or params.lr")
        entity, key = _identifier(tokens[i].text)
        i += 1
        if word(i) == "NOT" and word(i + 1) in ("IN", "LIKE", "ILIKE"):
            op, i = f"NOT {word(i + 1)}", i + 2
        elif word(i) in ("IN", "LIKE", "ILIKE"):
            op, i = word(i), i + 1
        elif i < len(tokens) and tokens[i].kind == "op":
            op = {"<>": "!=", "==": "="}.get(tokens[i].text, tokens[i].text)
            i += 1
        else:
            raise fail(f"expected a comparison after {key!r}")
        if op in ("NOT LIKE", "NOT ILIKE"):
            raise fail(f"{op} is not supported")
        if op in ("IN", "NOT IN"):
            if i >= len(tokens) or tokens[i].text != "(":
                raise fail(f"{op} takes a list: ('a', 'b')")
            values: list[str] = []
            i += 1
            while True:
                if i >= len(tokens) or tokens[i].kind not in ("str", "num"):
                    raise fail(f"{op} takes a list of quoted values")
                values.append(_unquote(tokens[i].text))
                i += 1
                if i < len(tokens) and tokens[i].text == ",":
                    i += 1
                    continue
                if i < len(tokens) and tokens[i].text == ")":
                    i += 1
                    break
                raise fail("a list ends with ')'")
            out.append(_Comparison(entity, key, op, tuple(values), False))
        else:
            if i >= len(tokens) or tokens[i].kind not in ("str", "num"):
                raise fail(f"expected a value after {op}")
            token = tokens[i]
            i += 1
            if token.kind == "num":
                out.append(_Comparison(entity, key, op, float(token.text), True))
            else:
                out.append(_Comparison(entity, key, op, _unquote(token.text), False))
        if i >= len(tokens):
            return out
        if word(i) == "OR":
            raise fail("OR is not supported: join comparisons with AND")
        if word(i) != "AND":
            raise fail(f"expected AND, found {tokens[i].text!r}")
        i += 1


def _text(c: _Comparison, what: str) -> Any:
    if c.op not in _TEXT_OPS:
        raise MlflowError.invalid(f"{what} {c.key!r} is compared as text: {', '.join(_TEXT_OPS)}"
                                  f", not {c.op}")
    if c.numeric:
        raise MlflowError.invalid(f"{what} {c.key!r} is text: quote the value ('{c.value:g}')")
    return c.value


def _number(c: _Comparison, what: str) -> float:
    if c.op not in _NUMERIC_OPS or not c.numeric:
        raise MlflowError.invalid(
            f"{what} {c.key!r} is compared as a number with {', '.join(_NUMERIC_OPS)}"
        )
    return float(c.value)


def _status(value: str) -> str:
    """An MLflow status name as fitdoc stores it (SCHEDULED: no fitdoc run has it)."""
    return MLFLOW_TO_STATUS.get(value.upper(), value.lower())


def run_clauses(source: str | None) -> list[Clause]:
    """A runs/search filter as store clauses (MlflowError on what fitdoc cannot answer)."""
    clauses = []
    for c in _comparisons(source):
        kind = _ENTITIES.get(c.entity.lower()) if c.entity else "attribute"
        key = c.key
        if kind is None:
            # `tags.mlflow.runName` reads as entity 'tags', key 'mlflow.runName'; an
            # unknown entity is refused.
            raise MlflowError.invalid(
                f"Invalid filter: {c.entity!r} is none of metrics, params, tags, attributes"
            )
        if kind == "tag" and key == RUN_NAME_TAG:
            kind, key = "attribute", "run_name"
        if kind == "tag" and key == DIAGNOSIS_TAG:
            clauses.append(Clause("diagnosis", "status", c.op, _text(c, "tag")))
        elif kind == "metric":
            clauses.append(Clause("metric", key, c.op, _number(c, "metric")))
        elif kind in ("param", "tag"):
            clauses.append(Clause(kind, key, c.op, _text(c, kind)))
        elif key in RUN_TIME_ATTRIBUTES:
            clauses.append(Clause("attribute", RUN_TIME_ATTRIBUTES[key], c.op,
                                  ms_to_datetime(_number(c, "attribute"))))
        elif key in RUN_TEXT_ATTRIBUTES:
            value = _text(c, "attribute")
            if key == "status":
                value = tuple(map(_status, value)) if isinstance(value, tuple) else _status(value)
            clauses.append(Clause("attribute", RUN_TEXT_ATTRIBUTES[key], c.op, value))
        else:
            raise MlflowError.invalid(
                f"Invalid attribute {key!r}: fitdoc searches runs by "
                f"{', '.join([*RUN_TEXT_ATTRIBUTES, *RUN_TIME_ATTRIBUTES])}"
            )
    return clauses


def experiment_clauses(source: str | None) -> list[Clause]:
    clauses = []
    for c in _comparisons(source):
        kind = _ENTITIES.get(c.entity.lower()) if c.entity else "attribute"
        if kind == "tag":
            clauses.append(Clause("tag", c.key, c.op, _text(c, "tag")))
        elif kind == "attribute" and c.key in EXPERIMENT_TIME_ATTRIBUTES:
            clauses.append(Clause("attribute", c.key, c.op,
                                  ms_to_datetime(_number(c, "attribute"))))
        elif kind == "attribute" and c.key in EXPERIMENT_TEXT_ATTRIBUTES:
            clauses.append(Clause("attribute", c.key, c.op, _text(c, "attribute")))
        else:
            raise MlflowError.invalid(
                f"Invalid filter: experiments are searched by name, creation_time, "
                f"last_update_time, experiment_id and tags, not {c.entity or ''}.{c.key}"
            )
    return clauses


_ORDER = re.compile(r"^\s*(?P<ident>.+?)\s*(?:\s(?P<dir>ASC|DESC))?\s*$", re.I)


def _orderings(
    order_by: list[str], read: Callable[[str | None, str], tuple[Kind, str]]
) -> list[Ordering]:
    out = []
    for text in order_by:
        match = _ORDER.match(text or "")
        if match is None or not match.group("ident").strip():
            raise MlflowError.invalid(f"Invalid order_by clause {text!r}")
        ident = match.group("ident").strip()
        tokens = _tokens(ident)
        if len(tokens) != 1 or tokens[0].kind != "ident":
            raise MlflowError.invalid(f"Invalid order_by clause {text!r}")
        kind, key = read(*_identifier(tokens[0].text))
        ascending = (match.group("dir") or "ASC").upper() == "ASC"
        out.append(Ordering(kind, key, ascending))
    return out


def run_orderings(order_by: list[str]) -> list[Ordering]:
    def read(entity: str | None, key: str) -> tuple[Kind, str]:
        kind = _ENTITIES.get(entity.lower()) if entity else "attribute"
        if kind == "tag" and key == RUN_NAME_TAG:
            return "attribute", "run_name"
        if kind == "tag" and key == DIAGNOSIS_TAG:
            return "diagnosis", "status"
        if kind in ("metric", "param", "tag"):
            return kind, key
        if kind == "attribute":
            if key in RUN_TIME_ATTRIBUTES:
                return "attribute", RUN_TIME_ATTRIBUTES[key]
            if key in RUN_TEXT_ATTRIBUTES:
                return "attribute", RUN_TEXT_ATTRIBUTES[key]
        raise MlflowError.invalid(f"Invalid order_by key {entity or ''}.{key}")

    return _orderings(order_by, read)


def experiment_orderings(order_by: list[str]) -> list[Ordering]:
    def read(entity: str | None, key: str) -> tuple[Kind, str]:
        kind = _ENTITIES.get(entity.lower()) if entity else "attribute"
        if kind == "attribute" and (key in EXPERIMENT_TIME_ATTRIBUTES
                                    or key in EXPERIMENT_TEXT_ATTRIBUTES):
            return "attribute", key
        raise MlflowError.invalid(
            f"Invalid order_by key {key!r}: experiments are ordered by name, creation_time, "
            "last_update_time or experiment_id"
        )

    return _orderings(order_by, read)


# --- page tokens -------------------------------------------------------------------------


def encode_token(**values: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_token(token: str | None, name: str) -> int:
    """The `name` of a token `encode_token` made (0 without one)."""
    if not token:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))[name]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise MlflowError.invalid(f"Invalid page token {token!r}") from exc
    if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value <= MAX_STEP:
        raise MlflowError.invalid(f"Invalid page token {token!r}")
    return value


# --- statuses ----------------------------------------------------------------------------

STATUS_TO_MLFLOW = {
    RunStatus.running.value: "RUNNING",
    RunStatus.finished.value: "FINISHED",
    RunStatus.failed.value: "FAILED",
    RunStatus.killed.value: "KILLED",
}
MLFLOW_TO_STATUS = {v: k for k, v in STATUS_TO_MLFLOW.items()} | {"SCHEDULED": "scheduled"}
