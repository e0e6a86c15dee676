"""The experiments API without a worker: what it makes, checks, lists and cancels."""

from __future__ import annotations

SPEC = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp"},
        "optimizer": {"name": "adam"}, "training": {"epochs": 3}}


def test_an_experiment_makes_its_first_phase_of_ordinary_jobs(client, unique):
    body = {"project": f"exp-{unique}", "kind": "shallow_vs_deep", "spec": SPEC}
    response = client.post("/api/v1/experiments", json=body)
    assert response.status_code == 202, response.text
    experiment = response.json()
    assert experiment["status"] == "queued" and experiment["phase"] == 0
    assert sorted(j["role"] for j in experiment["jobs"]) == ["deep", "shallow"]
    for part in experiment["jobs"]:
        job = client.get(f"/api/v1/jobs/{part['id']}").json()
        assert job["experiment_id"] == experiment["id"]
        assert job["experiment_role"] == part["role"] and job["status"] == "queued"
        assert client.get(f"/api/v1/runs/{job['run_id']}").status_code == 200
    assert client.get(f"/api/v1/experiments/{experiment['id']}").json()["id"] \
        == experiment["id"]
    listed = client.get(f"/api/v1/experiments?project=exp-{unique}").json()["items"]
    assert [e["id"] for e in listed] == [experiment["id"]]
    assert "shallow_vs_deep" in client.get("/api/v1/experiments/kinds").json()


def test_bad_kinds_options_and_specs_are_422_naming_the_field(client, unique):
    project = f"bad-{unique}"
    cases = [
        ({"kind": "astrology", "spec": SPEC}, "kind"),
        ({"kind": "cross_validation", "spec": SPEC, "options": {"folds": 50}},
         "options.folds"),
        ({"kind": "overfit_small", "spec": SPEC, "options": {"colour": 1}}, "options.colour"),
        ({"kind": "overfit_small", "spec": {**SPEC, "model": {"arch": "cnn"}}},
         "spec.model.arch"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/experiments", json={"project": project, **body})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert client.get(f"/api/v1/experiments?project={project}").status_code == 404


def test_cancelling_an_experiment_cancels_its_jobs_and_ends_it(client, unique):
    body = {"project": f"cx-{unique}", "kind": "cross_validation", "spec": SPEC,
            "options": {"folds": 2}}
    made = client.post("/api/v1/experiments", json=body)
    assert made.status_code == 202, made.text
    experiment = made.json()
    assert len(experiment["jobs"]) == 2
    response = client.post(f"/api/v1/experiments/{experiment['id']}/cancel")
    assert response.status_code == 202
    ended = client.get(f"/api/v1/experiments/{experiment['id']}").json()
    assert ended["status"] == "cancelled" and ended["cancel_requested"]
    assert {j["status"] for j in ended["jobs"]} == {"cancelled"}
    again = client.post(f"/api/v1/experiments/{experiment['id']}/cancel")
    assert again.status_code == 409
    assert client.get("/api/v1/experiments/" + "0" * 32).status_code == 404
