from __future__ import annotations


def test_create_and_list_projects(client, unique):
    made = client.post("/api/v1/projects", json={"name": f"p-{unique}", "description": "d"})
    assert made.status_code == 201
    body = made.json()
    assert body["name"] == f"p-{unique}" and body["description"] == "d" and body["id"]

    listed = client.get("/api/v1/projects", params={"limit": 1000}).json()
    assert body["id"] in [p["id"] for p in listed["items"]]


def test_duplicate_project_name_is_409(client, unique):
    assert client.post("/api/v1/projects", json={"name": f"dup-{unique}"}).status_code == 201
    again = client.post("/api/v1/projects", json={"name": f"dup-{unique}"})
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict",
        "message": f"project 'dup-{unique}' already exists",
        "field": "name",
    }


def test_project_pagination_visits_each_once(client, unique):
    made = {
        client.post("/api/v1/projects", json={"name": f"pg-{unique}-{i}"}).json()["id"]
        for i in range(5)
    }
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/projects", params=params).json()
        assert len(page["items"]) <= 2
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert made <= set(seen)
    assert len(seen) == len(set(seen))
