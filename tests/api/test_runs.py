from __future__ import annotations

from tests.utils.factories import make_run, points


def test_create_run_creates_project_on_first_use(client, unique):
    run = make_run(
        client,
        f"proj-{unique}",
        name="baseline",
        params={"lr": 0.001, "optimizer": "adam", "nesterov": False},
        tags={"team": "vision"},
        meta={"task": "classification", "num_classes": 10, "planned_epochs": 30},
    )
    assert run["project"] == f"proj-{unique}"
    assert run["status"] == "running" and run["source"] == "external"
    assert run["params"] == {"lr": 0.001, "optimizer": "adam", "nesterov": False}
    assert run["meta"] == {"task": "classification", "num_classes": 10, "planned_epochs": 30}
    assert client.get(f"/api/v1/runs/{run['id']}").json() == run

    # The project exists now, and its id works as well as its name.
    project_id = client.get("/api/v1/runs", params={"project": f"proj-{unique}"}).json()
    assert [r["id"] for r in project_id["items"]] == [run["id"]]
    projects = client.get("/api/v1/projects", params={"limit": 1000}).json()["items"]
    pid = next(p["id"] for p in projects if p["name"] == f"proj-{unique}")
    second = make_run(client, pid)
    assert second["project"] == f"proj-{unique}"


def test_latest_follows_highest_step(client, unique):
    run = make_run(client, f"latest-{unique}")
    url = f"/api/v1/runs/{run['id']}/metrics"
    client.post(url, json={"metrics": points("loss", range(5))})
    client.post(url, json={"metrics": [{"key": "loss", "step": 2, "value": 99.0}]})
    assert client.get(f"/api/v1/runs/{run['id']}").json()["latest"] == {"loss": 0.2}
    client.post(url, json={"metrics": [{"key": "loss", "step": 9, "value": "NaN"}]})
    assert client.get(f"/api/v1/runs/{run['id']}").json()["latest"] == {"loss": "NaN"}


def test_list_filters_and_cursor(client, unique):
    project = f"list-{unique}"
    ids = [make_run(client, project, name=f"r{i}")["id"] for i in range(7)]
    for run_id in ids[:3]:
        assert (
            client.patch(f"/api/v1/runs/{run_id}", json={"status": "finished"}).status_code == 200
        )

    finished = client.get("/api/v1/runs", params={"project": project, "status": "finished"})
    assert sorted(r["id"] for r in finished.json()["items"]) == sorted(ids[:3])

    seen, cursor = [], None
    while True:
        params = {"project": project, "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/runs", params=params).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))  # newest first, each exactly once


def test_patch_tags_merge_and_delete(client, unique):
    run = make_run(client, f"tags-{unique}", tags={"a": "1", "b": "2"})
    patched = client.patch(f"/api/v1/runs/{run['id']}", json={"tags": {"b": None, "c": "3"}})
    assert patched.status_code == 200
    assert patched.json()["tags"] == {"a": "1", "c": "3"}
    assert patched.json()["updated_at"] >= run["updated_at"]


def test_diagnosis_filter_and_endpoint(client, unique):
    run = make_run(client, f"diag-{unique}")
    diagnosis = client.get(f"/api/v1/runs/{run['id']}/diagnosis")
    assert diagnosis.status_code == 200
    body = diagnosis.json()
    assert body["status"] == "insufficient_data"  # no points yet
    assert body["run_id"] == run["id"] and body["advisor_version"]
    listed = client.get(
        "/api/v1/runs", params={"project": f"diag-{unique}", "diagnosis": "insufficient_data"}
    ).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]
    assert (
        client.get(
            "/api/v1/runs", params={"project": f"diag-{unique}", "diagnosis": "overfitting"}
        ).json()["items"]
        == []
    )
