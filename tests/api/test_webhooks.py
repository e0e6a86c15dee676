"""POST/GET/DELETE /api/v1/webhooks and a webhook's deliveries, on SQLite and PostgreSQL:
the secret never comes back, bad URLs and event types are 422 on their field, scope and
roles as the rest of the API; deliveries are made from the event log (one per webhook and
event) and an attempt (service/webhooks.py `deliver`, the Celery task's body, run here)
POSTs a signed body to a real local receiver, backs off, gives up, and checks the URL
again."""

from __future__ import annotations

import socket
import time

import pytest
from fastapi.testclient import TestClient

from service.webhooks import deliver, dispatch, verify_signature
from tests.utils.factories import make_run
from tests.utils.receiver import receiver

BOOT = "bootstrap-admin-token"
SECRET = "a-webhook-secret"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hooks(client):
    """Makes webhooks and deletes them after the test (a webhook of every project would
    otherwise get the session's other tests' events)."""
    made: list[str] = []

    def make(expect: int = 201, **body):
        response = client.post("/api/v1/webhooks", json={"secret": SECRET, **body})
        assert response.status_code == expect, response.text
        if expect == 201:
            made.append(response.json()["id"])
        return response.json()

    yield make
    for webhook_id in made:
        client.delete(f"/api/v1/webhooks/{webhook_id}")


def settle(app) -> None:
    """Wait for the app's diagnosis on write and then its webhook dispatch."""
    assert app.state.diagnoser.wait_idle(30)
    assert app.state.dispatcher.wait_idle(30)


def deliveries(client, webhook_id: str) -> list[dict]:
    response = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def attempt(app, delivery_id: str, **settings) -> str:
    """One attempt of a delivery, as the Celery task makes it."""
    stores, queue = app.state.stores, app.state.queue
    return deliver(stores, queue, app.state.settings.model_copy(update=settings), delivery_id)


def log_point(client, run_id: str, step: int = 0) -> None:
    response = client.post(f"/api/v1/runs/{run_id}/metrics",
                           json={"metrics": [{"key": "loss", "step": step, "value": 1.0}]})
    assert response.status_code == 200, response.text


def test_create_read_list_delete(client, hooks, unique):
    made = hooks(url="http://127.0.0.1:9/hook", events=["diagnosis.changed", "job.status",
                                                        "diagnosis.changed"],
                 project=f"p-{unique}")
    assert made["events"] == ["diagnosis.changed", "job.status"]  # once each
    assert made["project"] == f"p-{unique}" and made["url"] == "http://127.0.0.1:9/hook"
    assert "secret" not in made
    read = client.get(f"/api/v1/webhooks/{made['id']}")
    assert read.status_code == 200 and read.json() == made
    assert "secret" not in read.text and SECRET not in read.text
    listed = client.get("/api/v1/webhooks", params={"project": f"p-{unique}"}).json()
    assert listed["items"] == [made]
    assert SECRET not in client.get("/api/v1/webhooks").text
    assert deliveries(client, made["id"]) == []
    assert client.delete(f"/api/v1/webhooks/{made['id']}").status_code == 204
    for method, path in (("GET", ""), ("DELETE", ""), ("GET", "/deliveries")):
        gone = client.request(method, f"/api/v1/webhooks/{made['id']}{path}")
        assert gone.status_code == 404, (method, path, gone.text)
        assert gone.json()["error"]["field"] == "webhook_id"


def test_a_webhook_of_every_project(client, hooks):
    made = hooks(url="http://localhost:9/hook", events=["run.status"])
    assert made["project"] is None
    assert made["id"] in [w["id"] for w in client.get("/api/v1/webhooks").json()["items"]]


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://127.0.0.1/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "http://169.254.169.254/latest/meta-data/"}, "url"),
    ({"url": "http://metadata.google.internal/"}, "url"),
    ({"url": "http://[fe80::1]:8080/"}, "url"),
    ({"url": "http://0.0.0.0/"}, "url"),
    ({"url": "http://239.1.2.3/"}, "url"),
    ({"url": "http://no-such-host.invalid/"}, "url"),
    ({"events": ["diagnosis.changed", "run.finished"]}, "events[1]"),
    ({"events": []}, "events"),
    ({"secret": "short"}, "secret"),
    ({"secret": None}, "secret"),
    ({"extra": 1}, "extra"),
])
def test_invalid_webhooks_are_422_on_their_field(client, body, field):
    good = {"url": "http://127.0.0.1:9/hook", "events": ["diagnosis.changed"], "secret": SECRET}
    sent = {k: v for k, v in {**good, **body}.items() if v is not None}
    response = client.post("/api/v1/webhooks", json=sent)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_unknown_webhook_is_404(client):
    for method, path in (("GET", ""), ("DELETE", ""), ("GET", "/deliveries")):
        response = client.request(method, f"/api/v1/webhooks/{'0' * 32}{path}")
        assert response.status_code == 404 and response.json()["error"]["field"] == "webhook_id"


def test_deliveries_are_made_for_the_events_asked_for_in_the_project(client, app, hooks,
                                                                      unique):
    """One delivery per (webhook, event) of its types and project; none for another
    project's events or for types it did not ask for; a webhook of every project gets
    both projects'."""
    mine = hooks(url="http://127.0.0.1:9/hook", events=["metrics.logged"],
                 project=f"p-{unique}")
    runs_only = hooks(url="http://127.0.0.1:9/hook", events=["run.status"],
                      project=f"p-{unique}")
    every = hooks(url="http://127.0.0.1:9/hook", events=["metrics.logged"])
    run = make_run(client, f"p-{unique}")
    other = make_run(client, f"q-{unique}")
    log_point(client, run["id"], 0)
    log_point(client, run["id"], 1)
    log_point(client, other["id"], 0)
    settle(app)
    assert [d["event_type"] for d in deliveries(client, mine["id"])] == ["metrics.logged"] * 2
    assert deliveries(client, runs_only["id"]) == []
    made = deliveries(client, every["id"])
    assert len(made) == 3 and len({d["event_id"] for d in made}) == 3
    assert all(d["status"] == "pending" and d["attempts"] == 0 for d in made)
    # the sweeper's dispatch (a second dispatcher) finds nothing more to make
    assert dispatch(app.state.stores, app.state.queue, app.state.settings) == 0
    assert len(deliveries(client, every["id"])) == 3


def test_an_attempt_posts_the_signed_event_and_retries_on_failure(client, app, hooks, unique):
    with receiver(answers=[500, 503]) as bot:
        webhook = hooks(url=bot.url, events=["metrics.logged"], project=f"p-{unique}")
        run = make_run(client, f"p-{unique}")
        log_point(client, run["id"])
        settle(app)
        [delivery] = deliveries(client, webhook["id"])
        assert "again in 1 s" in attempt(app, delivery["id"], webhook_backoff_seconds=1)
        after_one = deliveries(client, webhook["id"])[0]
        assert after_one["attempts"] == 1 and after_one["status"] == "pending"
        assert after_one["status_code"] == 500 and after_one["last_error"].startswith("HTTP 500")
        # not due yet: a second copy of the message (a resend) does nothing
        assert attempt(app, delivery["id"]).startswith("skipped")
        time.sleep(1.05)
        assert "failed" in attempt(app, delivery["id"], webhook_backoff_seconds=0.01)
        time.sleep(0.05)
        assert attempt(app, delivery["id"]).startswith("delivered")
        assert attempt(app, delivery["id"]).startswith("skipped")  # over
    done = deliveries(client, webhook["id"])[0]
    assert (done["status"], done["attempts"], done["status_code"]) == ("delivered", 3, 200)
    assert done["last_error"].startswith("HTTP 503") and done["delivered_at"]
    assert [r.status for r in bot.got] == [500, 503, 200]
    assert {r.headers["X-Fitdoc-Delivery"] for r in bot.got} == {delivery["id"]}
    last = bot.got[-1]
    assert last.headers["X-Fitdoc-Event"] == "metrics.logged"
    assert last.headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, last.body, last.headers["X-Fitdoc-Signature"])
    body = last.json
    assert body["delivery_id"] == delivery["id"] and body["webhook_id"] == webhook["id"]
    assert body["attempt"] == 3 and isinstance(body["timestamp"], int)
    assert body["event"]["id"] == delivery["event_id"]
    assert body["event"]["type"] == "metrics.logged" and body["event"]["run_id"] == run["id"]
    assert body["event"]["project"] == f"p-{unique}"


def test_a_delivery_fails_after_its_last_attempt(client, app, hooks, unique):
    with receiver(answers=[500] * 5) as bot:
        webhook = hooks(url=bot.url, events=["metrics.logged"], project=f"p-{unique}")
        log_point(client, make_run(client, f"p-{unique}")["id"])
        settle(app)
        [delivery] = deliveries(client, webhook["id"])
        fast = {"webhook_backoff_seconds": 0.001, "webhook_max_attempts": 2}
        assert "again" in attempt(app, delivery["id"], **fast)
        time.sleep(0.02)
        assert "not tried again" in attempt(app, delivery["id"], **fast)
        time.sleep(0.02)
        assert attempt(app, delivery["id"], **fast).startswith("skipped")
    failed = deliveries(client, webhook["id"])[0]
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 2, None)
    assert len(bot.got) == 2


def test_the_url_is_checked_again_at_delivery(client, app, hooks, unique, monkeypatch):
    """A name that resolved to the receiver when the webhook was made and resolves to the
    metadata address by the time of the attempt: nothing is sent there."""
    real = socket.getaddrinfo
    answer = {"address": "127.0.0.1"}

    def resolver(host, port, *args, **kwargs):
        if host == "labbot.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with receiver() as bot:
        port = bot.url.split(":")[2].split("/")[0]
        webhook = hooks(url=f"http://labbot.example.test:{port}/hook", events=["metrics.logged"],
                        project=f"p-{unique}")
        log_point(client, make_run(client, f"p-{unique}")["id"])
        settle(app)
        [delivery] = deliveries(client, webhook["id"])
        answer["address"] = "169.254.169.254"
        assert "refused" in attempt(app, delivery["id"])
        assert bot.got == []
    refused = deliveries(client, webhook["id"])[0]
    assert refused["status"] == "pending" and refused["attempts"] == 1
    assert "169.254.169.254" in refused["last_error"] and refused["status_code"] is None


# --- tokens: scope and roles ---------------------------------------------------------------


@pytest.fixture(scope="module")
def api(settings):
    from service.api.app import create_app

    app = create_app(settings.model_copy(update={"api_token": BOOT}))
    with TestClient(app) as client:
        yield client


def token(api, role: str, project: str | None) -> str:
    made = api.post("/api/v1/tokens", json={"role": role, "project": project},
                    headers=bearer(BOOT))
    assert made.status_code == 201, made.text
    return made.json()["token"]


def test_scope_and_roles(api, unique):
    p, q = f"p-{unique}", f"q-{unique}"
    write_p, read_p, admin_p = (token(api, role, p) for role in ("write", "read", "admin"))
    write_q = token(api, "write", q)
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["diagnosis.changed"], "secret": SECRET}

    def post(who: str, **body):
        return api.post("/api/v1/webhooks", json={**hook, **body}, headers=bearer(who))

    # a bound token: its project (named or not), never another
    own = post(write_p)
    assert own.status_code == 201 and own.json()["project"] == p
    assert post(write_p, project=p).json()["project"] == p
    assert post(write_p, project=q).status_code == 404
    assert post(read_p).status_code == 403  # writing needs write
    everywhere = post(BOOT)
    assert everywhere.status_code == 201 and everywhere.json()["project"] is None
    of_q = post(write_q).json()

    # a read-only token learns no webhook (a URL may hold the receiver's secret)
    for path in ("", f"/{own.json()['id']}", f"/{own.json()['id']}/deliveries"):
        assert api.get(f"/api/v1/webhooks{path}", headers=bearer(read_p)).status_code == 403
    ids = {w["id"] for w in api.get("/api/v1/webhooks", headers=bearer(write_p)).json()["items"]}
    assert own.json()["id"] in ids and everywhere.json()["id"] not in ids and of_q["id"] not in ids
    assert api.get("/api/v1/webhooks", params={"project": q},
                   headers=bearer(write_p)).status_code == 404
    for hidden in (everywhere.json()["id"], of_q["id"]):
        for method, path in (("GET", ""), ("GET", "/deliveries"), ("DELETE", "")):
            seen = api.request(method, f"/api/v1/webhooks/{hidden}{path}",
                               headers=bearer(admin_p))
            assert seen.status_code == 404, (method, path, seen.text)
    assert api.get(f"/api/v1/webhooks/{own.json()['id']}",
                   headers=bearer(write_p)).status_code == 200
    # deleting needs admin, as everywhere in the API
    assert api.delete(f"/api/v1/webhooks/{own.json()['id']}",
                      headers=bearer(write_p)).status_code == 403
    assert api.delete(f"/api/v1/webhooks/{own.json()['id']}",
                      headers=bearer(admin_p)).status_code == 204
    for left in api.get("/api/v1/webhooks", headers=bearer(BOOT)).json()["items"]:
        if left["project"] in (p, q, None):
            api.delete(f"/api/v1/webhooks/{left['id']}", headers=bearer(BOOT))


def test_a_revoked_tokens_webhook_gets_no_more_deliveries(api, unique):
    """A webhook sees what its maker's token could see: once that token is revoked, no new
    delivery is made for it and a pending one fails, saying why, instead of being sent."""
    project = f"rv-{unique}"
    made = api.post("/api/v1/tokens", json={"role": "write", "project": project},
                    headers=bearer(BOOT)).json()
    hook = api.post("/api/v1/webhooks", headers=bearer(made["token"]), json={
        "url": "http://127.0.0.1:9/hook", "events": ["metrics.logged"], "secret": SECRET})
    assert hook.status_code == 201, hook.text
    hook_id = hook.json()["id"]
    app = api.app
    run = api.post("/api/v1/runs", json={"project": project}, headers=bearer(BOOT)).json()

    def log(step: int) -> None:
        answer = api.post(f"/api/v1/runs/{run['id']}/metrics", headers=bearer(BOOT),
                          json={"metrics": [{"key": "loss", "step": step, "value": 1.0}]})
        assert answer.status_code == 200, answer.text

    def made_for_hook() -> list[dict]:
        answer = api.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=bearer(BOOT))
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    log(0)
    settle(app)
    [pending] = made_for_hook()
    assert pending["status"] == "pending"
    assert api.delete(f"/api/v1/tokens/{made['id']}", headers=bearer(BOOT)).status_code == 204
    log(1)
    settle(app)
    assert [d["id"] for d in made_for_hook()] == [pending["id"]]  # none for the new point
    assert deliver(app.state.stores, app.state.queue, app.state.settings, pending["id"]) \
        != "delivered"
    [failed] = made_for_hook()
    assert failed["status"] == "failed" and "revoked" in failed["last_error"]
    api.delete(f"/api/v1/webhooks/{hook_id}", headers=bearer(BOOT))
