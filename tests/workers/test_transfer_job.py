"""Transfer through the whole machine: a job whose spec says `model.init_from` trains on a
real worker from another job's checkpoint, changing only what it does not freeze."""

from __future__ import annotations

import io

import pytest
import torch

from tests.workers.test_jobs import finished, post_job, spec

pytestmark = pytest.mark.integration


def checkpoint(stack, job_id: str) -> dict:
    response = stack.client.get(f"/api/v1/jobs/{job_id}/checkpoint")
    assert response.status_code == 200, response.text
    return torch.load(io.BytesIO(response.content), weights_only=True)


def test_a_head_only_job_trains_from_another_jobs_checkpoint(stack, unique):
    project = f"transfer-{unique}"
    source = post_job(stack, project, spec(epochs=2))
    assert stack.wait_job(source["id"], finished)["status"] == "succeeded"

    job = post_job(stack, project, spec(
        epochs=2, model={"init_from": {"job_id": source["id"], "freeze": "head_only"}},
        dataset={"seed": 1}))
    done = stack.wait_job(job["id"], finished)
    assert done["status"] == "succeeded", done
    assert done["spec"]["model"]["init_from"]["job_id"] == source["id"]

    before, after = checkpoint(stack, source["id"])["best"], checkpoint(stack, job["id"])
    head = {"3.weight", "3.bias"}  # mlp [64]: Flatten, Linear, ReLU, Linear (the head)
    assert set(before) == set(after["last"]) == {"1.weight", "1.bias"} | head
    for key in before:
        for which in ("last", "best"):
            same = torch.equal(after[which][key], before[key])
            assert same == (key not in head), (which, key)
    assert len(after["history"]) == 2
