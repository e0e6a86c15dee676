"""Datasets (issue 12), on SQLite and PostgreSQL: a job's path must lie under the dataset
roots (one message whatever the reason); uploads are checked, stored under their project,
listed, read, deleted, and trained by id; another project's upload reads as missing."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.catalogue import path_message, upload_message
from service.schemas import Role, TokenCreate

MODEL = {"model": {"arch": "mlp"}, "optimizer": {"name": "adam"}}


def npz_bytes(save=np.savez, **arrays) -> bytes:
    buf = io.BytesIO()
    save(buf, **arrays)
    return buf.getvalue()


def small_classification(n: int = 40, features: int = 5, classes: int = 3) -> dict:
    rng = np.random.default_rng(0)
    return {"x": rng.normal(size=(n, features)).astype(np.float32),
            "y": rng.integers(0, classes, n)}


def upload(client, project: str, content: bytes, name: str | None = None, headers=None):
    data = {"project": project} if name is None else {"project": project, "name": name}
    return client.post("/api/v1/datasets", data=data, files={"file": ("my data.npz", content)},
                       headers=headers or {})


def submit(client, project: str, dataset: dict, headers=None, **sections):
    spec = {"dataset": dataset, **MODEL, **sections}
    return client.post("/api/v1/jobs", json={"project": project, "spec": spec},
                       headers=headers or {})


@pytest.fixture
def root(settings):
    """The default dataset root: the data dir's datasets/."""
    folder = settings.resolved_dataset_roots()[0]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- paths ------------------------------------------------------------------------------


@pytest.fixture
def outside(settings, unique):
    """A real, readable npz that is not under the dataset roots."""
    path = settings.data_dir / f"private-{unique}.npz"
    path.write_bytes(npz_bytes(**small_classification()))
    return path


def test_a_path_inside_the_roots_is_accepted(client, root, unique):
    (root / f"mine-{unique}.npz").write_bytes(npz_bytes(**small_classification()))
    for path in (f"mine-{unique}.npz", str(root / f"mine-{unique}.npz"),
                 f"./sub/../mine-{unique}.npz"):
        response = submit(client, f"paths-{unique}", {"name": "npz", "path": path})
        assert response.status_code == 202, (path, response.text)


def test_paths_outside_the_roots_are_refused_with_one_message(client, root, outside, unique,
                                                              tmp_path, monkeypatch):
    # a link in the root to the file outside; a home folder that holds a readable npz
    (root / f"link-{unique}.npz").symlink_to(outside)
    (root / f"linked-dir-{unique}").symlink_to(outside.parent, target_is_directory=True)
    (root / f"folder-{unique}.npz").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "home.npz").write_bytes(outside.read_bytes())
    paths = {
        "absolute": str(outside),
        "dot-dot": f"../{outside.name}",
        "dot-dot deep": f"sub/../../{outside.name}",
        "tilde": "~/home.npz",
        "symlink out": f"link-{unique}.npz",
        "through a linked folder": f"linked-dir-{unique}/{outside.name}",
        "missing": f"nothing-{unique}.npz",
        "missing outside": f"/nonexistent-{unique}/x.npz",
        "a folder": f"folder-{unique}.npz",
        "the root itself": str(root),
        "system file": "/etc/passwd",
    }
    messages = set()
    for what, path in paths.items():
        response = submit(client, f"paths-{unique}", {"name": "npz", "path": path})
        assert response.status_code == 422, (what, response.text)
        error = response.json()["error"]
        assert error["field"] == "spec.dataset.path", what
        messages.add(error["message"])
    assert messages == {path_message("npz")}  # nothing tells which of these exist
    assert "FITDOC_DATASET_ROOTS" in path_message("npz")
    # no run was made for any of them
    assert client.get("/api/v1/runs", params={"project": f"paths-{unique}"}).status_code == 404


def test_image_folder_must_be_a_folder_under_the_roots(client, root, unique):
    pets = root / f"pets-{unique}"
    for label in ("cat", "dog"):
        (pets / label).mkdir(parents=True)
        for i in range(4):
            np.save(pets / label / f"{i}.npy", np.zeros((8, 8, 3), np.uint8))
    ok = submit(client, f"if-{unique}", {"name": "image_folder", "path": pets.name},
                model={"arch": "cnn", "depth": 2})
    assert ok.status_code == 202, ok.text
    for path in ("/", "..", str(root), "/etc", f"{pets.name}/cat/0.npy"):
        response = submit(client, f"if-{unique}", {"name": "image_folder", "path": path},
                          model={"arch": "cnn", "depth": 2})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"] == {"code": "invalid", "field": "spec.dataset.path",
                                            "message": path_message("image_folder")}


def test_uploads_cannot_be_named_by_path_even_under_a_root(settings, unique):
    from service.api.app import create_app

    # a root that holds the whole data dir: its uploads/ and checkpoints/ stay out of reach
    wide = settings.model_copy(update={"dataset_roots": str(settings.data_dir)})
    with TestClient(create_app(wide)) as client:
        made = upload(client, f"wide-{unique}", npz_bytes(**small_classification()))
        assert made.status_code == 201, made.text
        stored = next(settings.uploads_dir.glob(f"*/{made.json()['id']}.npz"))
        checkpoint = settings.data_dir / "checkpoints" / f"x-{unique}.npz"
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        checkpoint.write_bytes(stored.read_bytes())
        (settings.data_dir / f"plain-{unique}.npz").write_bytes(stored.read_bytes())
        for path in (str(stored), os.path.relpath(stored, settings.data_dir),
                     f"checkpoints/x-{unique}.npz"):
            response = submit(client, f"wide-{unique}", {"name": "npz", "path": path})
            assert response.status_code == 422, (path, response.text)
            assert response.json()["error"]["message"] == path_message("npz")
        # the same bytes elsewhere under that root are fine: it is the folder that is refused
        fine = submit(client, f"wide-{unique}", {"name": "npz", "path": f"plain-{unique}.npz"})
        assert fine.status_code == 202, fine.text


# --- uploads ----------------------------------------------------------------------------


def test_an_upload_round_trip(client, settings, unique):
    project = f"up-{unique}"
    arrays = small_classification(n=40, features=5, classes=3)
    arrays |= {"x_val": np.ones((10, 5), np.float64), "y_val": np.array([0, 1, 2, 3] + [0] * 6)}
    content = npz_bytes(np.savez_compressed, **arrays)
    made = upload(client, project, content)
    assert made.status_code == 201, made.text
    dataset = made.json()
    assert dataset["project"] == project and dataset["name"] == "my data"
    assert dataset["size_bytes"] == len(content)
    assert dataset["arrays"] == {
        "x": {"shape": [40, 5], "dtype": "float32"}, "y": {"shape": [40], "dtype": "int64"},
        "x_val": {"shape": [10, 5], "dtype": "float64"}, "y_val": {"shape": [10], "dtype": "int64"},
    }
    assert dataset["task"] == "classification" and dataset["classes"] == 4  # y_val has a 3
    assert dataset["n_train"] == 40 and dataset["n_val"] == 10
    import hashlib
    assert dataset["sha256"] == hashlib.sha256(content).hexdigest()

    assert client.get(f"/api/v1/datasets/{dataset['id']}").json() == dataset
    listed = client.get("/api/v1/datasets", params={"project": project}).json()
    assert [d["id"] for d in listed["items"]] == [dataset["id"]]
    named = upload(client, project, npz_bytes(x=np.zeros((4, 2)), y=np.linspace(0, 1, 4)),
                   name="  targets  ")
    assert named.status_code == 201, named.text
    assert named.json()["name"] == "targets" and named.json()["task"] == "regression"
    assert named.json()["classes"] is None and named.json()["n_val"] is None
    page = client.get("/api/v1/datasets", params={"project": project, "limit": 1}).json()
    assert [d["id"] for d in page["items"]] == [named.json()["id"]]  # newest first
    rest = client.get("/api/v1/datasets", params={"project": project,
                                                  "cursor": page["next_cursor"]}).json()
    assert [d["id"] for d in rest["items"]] == [dataset["id"]]

    stored = list(settings.uploads_dir.glob(f"*/{dataset['id']}.npz"))
    assert len(stored) == 1 and stored[0].read_bytes() == content
    assert client.delete(f"/api/v1/datasets/{dataset['id']}").status_code == 204
    assert not stored[0].exists()
    gone = client.get(f"/api/v1/datasets/{dataset['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["field"] == "dataset_id"
    assert client.delete(f"/api/v1/datasets/{dataset['id']}").status_code == 404
    listed = client.get("/api/v1/datasets", params={"project": project}).json()
    assert [d["id"] for d in listed["items"]] == [named.json()["id"]]
    assert client.get("/api/v1/datasets", params={"project": f"none-{unique}"}).status_code == 404
    assert not list(settings.uploads_dir.glob(".incoming/*"))  # nothing staged is left


class Pickled:
    pass


@pytest.mark.parametrize(("arrays", "field", "words"), [
    ({"x": np.array([Pickled()] * 4, dtype=object), "y": np.zeros(4, int)}, "file.x",
     "Python objects"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(4, int)}, "file.y", "4 samples but x has 5"),
    ({"x": np.zeros((5, 2)), "y": np.array([0, 1, 2, -1, 0])}, "file.y", "0, 1, ..., C-1"),
    ({"x": np.zeros((5, 2)), "y": np.array([0, 1, 2, 3, 10**7])}, "file.y", "at most"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(5, int), "x_val": np.zeros((2, 2)),
      "y_val": np.array([0, -2])}, "file.y_val", "found -2"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(5, int), "x_val": np.zeros((2, 2))}, "file.y_val",
     "both"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(5, int), "x_val": np.zeros((2, 3)),
      "y_val": np.zeros(2, int)}, "file.x_val", "samples are"),
    ({"x": np.zeros((5, 2))}, "file.y", "missing"),
    ({"x": np.full((5, 2), np.inf), "y": np.zeros(5, int)}, "file.x", "NaN or inf"),
    ({"x": np.zeros((5, 2)), "y": np.array([0.5, np.nan, 1, 2, 3])}, "file.y", "NaN or inf"),
    ({"x": np.zeros(5), "y": np.zeros(5, int)}, "file.x", "expected (N, F)"),
    ({"x": np.array(["a"] * 5), "y": np.zeros(5, int)}, "file.x", "not numbers"),
    ({"x": np.zeros((5, 2)), "y": np.zeros(5, bool)}, "file.y", "booleans"),
], ids=["pickle", "lengths", "negative-label", "huge-label", "val-label", "half-val",
        "val-shape", "no-y", "inf", "nan-target", "rank", "strings", "bool-labels"])
def test_bad_uploads_are_422_naming_the_array(client, settings, unique, arrays, field, words):
    response = upload(client, f"bad-{unique}", npz_bytes(**arrays))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"], error
    # nothing stored: no row (the project was never made), no file
    assert client.get("/api/v1/datasets", params={"project": f"bad-{unique}"}).status_code == 404
    assert not list(settings.uploads_dir.glob(".incoming/*"))


def test_what_is_not_an_npz_is_422(client, unique, tmp_path):
    np.save(tmp_path / "one.npy", np.zeros((4, 2)))
    for content in (b"not a zip at all", pickle.dumps({"x": [1, 2]}),
                    (tmp_path / "one.npy").read_bytes(), b""):
        response = upload(client, f"junk-{unique}", content)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "file"
    # the form itself
    assert client.post("/api/v1/datasets", json={"project": "p"}).status_code == 422
    no_file = client.post("/api/v1/datasets", data={"project": "p"}, files={"name": (None, "n")})
    assert no_file.status_code == 422 and no_file.json()["error"]["field"] == "file"
    no_project = client.post("/api/v1/datasets", files={"file": ("a.npz", b"x")})
    assert no_project.status_code == 422 and no_project.json()["error"]["field"] == "project"
    extra = client.post("/api/v1/datasets", data={"project": "p", "colour": "red"},
                        files={"file": ("a.npz", b"x")})
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "colour"


def test_an_upload_over_the_limit_is_413_and_leaves_nothing(settings, unique):
    from service.api.app import create_app

    small = settings.model_copy(update={"max_upload_bytes": 4096})
    with TestClient(create_app(small)) as client:
        fits = upload(client, f"big-{unique}", npz_bytes(x=np.zeros((20, 3)), y=np.zeros(20, int)))
        assert fits.status_code == 201, fits.text
        over = npz_bytes(x=np.zeros((1000, 3)), y=np.zeros(1000, int))  # ~32 KB
        response = upload(client, f"big-{unique}", over)
        assert response.status_code == 413, response.text
        assert "FITDOC_MAX_UPLOAD_BYTES" in response.json()["error"]["message"]
        # far over: the body limit stops it while it streams in
        assert upload(client, f"big-{unique}", b"\0" * 300_000).status_code == 413
        # a small file whose arrays are large once inflated
        packed = npz_bytes(np.savez_compressed, x=np.zeros((2000, 8)), y=np.zeros(2000, int))
        assert len(packed) < 4096
        inflated = upload(client, f"big-{unique}", packed)
        assert inflated.status_code == 413 and "uncompressed" in inflated.text
        listed = client.get("/api/v1/datasets", params={"project": f"big-{unique}"}).json()
        assert [d["id"] for d in listed["items"]] == [fits.json()["id"]]
    assert not list(settings.uploads_dir.glob(".incoming/*"))


# --- a job reads an upload by id ------------------------------------------------------------


def test_a_job_names_an_upload_of_its_own_project(client, unique):
    mine, other = f"own-{unique}", f"other-{unique}"
    made = upload(client, mine, npz_bytes(**small_classification(n=40, features=5)))
    dataset = made.json()
    accepted = submit(client, mine, {"name": "npz", "id": dataset["id"]})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["spec"]["dataset"]["id"] == dataset["id"]

    missing = "0" * 32
    refusals = [
        submit(client, other, {"name": "npz", "id": dataset["id"]}),  # another project's
        submit(client, mine, {"name": "npz", "id": missing}),  # no such upload
    ]
    for response in refusals:
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "spec.dataset.id"
    assert refusals[0].json()["error"]["message"] == upload_message(dataset["id"])
    assert refusals[1].json()["error"]["message"] == upload_message(missing)

    cases = [
        ({"name": "npz", "id": dataset["id"], "path": "x.npz"}, {}, "spec.dataset.id",
         "not both"),
        ({"name": "wine", "id": dataset["id"]}, {}, "spec.dataset.id", "npz"),
        ({"name": "npz", "id": "../../x"}, {}, "spec.dataset.id", "pattern"),
        ({"name": "npz"}, {}, "spec.dataset.path", "path or the id"),
        # the upload's shape and sizes are known at submit: the catalogue decides on them
        ({"name": "npz", "id": dataset["id"]}, {"model": {"arch": "cnn"}}, "spec.model.arch",
         "tabular (F,) (5,)"),
        ({"name": "npz", "id": dataset["id"], "n_train": 33}, {}, "spec.dataset.n_train",
         "32 training samples"),
    ]
    for data, sections, field, words in cases:
        response = submit(client, mine, data, **sections)
        assert response.status_code == 422, (data, response.text)
        error = response.json()["error"]
        assert error["field"] == field and words in error["message"], (data, error)

    targets = upload(client, mine, npz_bytes(x=np.zeros((8, 2)), y=np.linspace(0, 1, 8))).json()
    as_classes = submit(client, mine, {"name": "npz", "id": targets["id"]})
    assert as_classes.status_code == 422
    assert as_classes.json()["error"]["field"] == "spec.dataset.task"
    regression = submit(client, mine, {"name": "npz", "id": targets["id"], "task": "regression"},
                        training={"loss": "mse"})
    assert regression.status_code == 202, regression.text


# --- tokens ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(settings):
    from service.api.app import create_app

    app = create_app(settings.model_copy(update={"api_token": "boot-datasets"}))
    with TestClient(app) as client:
        yield app, client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_another_projects_upload_reads_as_missing(guarded, unique):
    app, client = guarded
    p, q = f"tp-{unique}", f"tq-{unique}"
    tokens = app.state.stores.tokens
    p_write = tokens.create(TokenCreate(project=p, role=Role.write)).token
    p_admin = tokens.create(TokenCreate(project=p, role=Role.admin)).token
    p_read = tokens.create(TokenCreate(project=p, role=Role.read)).token
    q_write = tokens.create(TokenCreate(project=q, role=Role.write)).token
    content = npz_bytes(**small_classification())

    mine = upload(client, p, content, headers=bearer(p_write))
    assert mine.status_code == 201, mine.text
    p_token_id = app.state.stores.tokens.authenticate(p_write).token_id
    assert mine.json()["created_by"] == p_token_id
    theirs = upload(client, q, content, headers=bearer(q_write)).json()
    # a read token cannot upload; a project-P token cannot upload to Q
    assert upload(client, p, content, headers=bearer(p_read)).status_code == 403
    into_q = upload(client, q, content, headers=bearer(p_write))
    assert into_q.status_code == 404 and into_q.json()["error"]["field"] == "project"

    unknown = client.get(f"/api/v1/datasets/{'0' * 32}", headers=bearer(p_read))
    other = client.get(f"/api/v1/datasets/{theirs['id']}", headers=bearer(p_read))
    assert unknown.status_code == other.status_code == 404
    assert other.json()["error"]["message"] == f"no dataset {theirs['id']!r}"
    assert client.delete(f"/api/v1/datasets/{theirs['id']}",
                         headers=bearer(p_admin)).status_code == 404
    assert client.get(f"/api/v1/datasets/{theirs['id']}",
                      headers=bearer(q_write)).status_code == 200  # still there

    listed = client.get("/api/v1/datasets", headers=bearer(p_read)).json()
    assert [d["id"] for d in listed["items"]] == [mine.json()["id"]]  # scoped to P
    assert client.get("/api/v1/datasets", params={"project": q},
                      headers=bearer(p_read)).status_code == 404
    # a job of P cannot name Q's upload
    job = submit(client, p, {"name": "npz", "id": theirs["id"]}, headers=bearer(p_write))
    assert job.status_code == 422 and job.json()["error"]["field"] == "spec.dataset.id"
    # deleting is an admin's
    assert client.delete(f"/api/v1/datasets/{mine.json()['id']}",
                         headers=bearer(p_write)).status_code == 403
    assert client.delete(f"/api/v1/datasets/{mine.json()['id']}",
                         headers=bearer(p_admin)).status_code == 204
