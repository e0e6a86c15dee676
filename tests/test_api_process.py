"""The API as it runs: `fitdoc serve --no-worker` in a process of its own. It checks job
specs without torch: the server process never loads it, valid spec or not."""

from __future__ import annotations

import httpx
import pytest

from fitdoc import runtime
from tests.utils.procs import HAS_PROC

pytestmark = pytest.mark.integration


def spec(**sections: dict) -> dict:
    base = {
        "dataset": {"name": "mnist1d"},
        "model": {"arch": "mlp"},
        "optimizer": {"name": "adam"},
        "training": {"epochs": 1},
    }
    return {**base, **sections}


# case: (spec, the field the 422 names)
INVALID = {
    "unknown arch": (spec(model={"arch": "transformer"}), "spec.model.arch"),
    "cnn on tabular data": (
        spec(dataset={"name": "digits"}, model={"arch": "cnn"}),
        "spec.model.arch",
    ),
    "hflip on 1-D data": (spec(augmentation={"hflip": True}), "spec.augmentation.hflip"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = runtime.embedded_settings(tmp_path_factory.mktemp("api-process"))
    with runtime.serve_process(settings) as server:
        yield server


def test_a_valid_job_is_accepted(server):
    job = httpx.post(f"{server.url}/api/v1/jobs", json={"project": "p", "spec": spec()})
    assert job.status_code == 202, job.text
    assert job.json()["status"] == "queued"


@pytest.mark.parametrize("case", INVALID)
def test_an_invalid_job_is_refused_at_its_field(server, case):
    body, field = INVALID[case]
    refused = httpx.post(f"{server.url}/api/v1/jobs", json={"project": "p", "spec": body})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["field"] == field and error["message"], error


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc (Linux)")
def test_the_api_process_never_loads_torch(server):
    # After the requests above (the fixture's server is shared): checking specs took no torch.
    for body in [spec()] + [body for body, _ in INVALID.values()]:
        httpx.post(f"{server.url}/api/v1/jobs", json={"project": "p", "spec": body})
    maps = open(f"/proc/{server.proc.pid}/maps").read()
    assert "libtorch" not in maps, "the API process has loaded torch"
