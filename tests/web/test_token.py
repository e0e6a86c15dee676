"""The dashboard with auth on (FITDOC_API_TOKEN): the token is asked once, kept in the
tab's session storage, and sent as a bearer header on every call, the event stream's
included (read with fetch(): EventSource cannot send a header, and a token in the URL
would land in access logs)."""

from __future__ import annotations

import time

import httpx
import pytest
from selenium.webdriver.common.by import By

from fitdoc import runtime
from tests.web.conftest import external_run, ready, shot, wait

pytestmark = pytest.mark.browser

TOKEN = "dashboard-test-token-0123456789"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, seeded):  # seeded: the assets are checked there
    from service.api.app import create_app
    from service.store import migrate

    settings = runtime.embedded_settings(tmp_path_factory.mktemp("web-auth"), api_token=TOKEN)
    migrate.upgrade(settings.resolved_database_url())
    app = create_app(settings)
    run_id = external_run(app.state.stores, "guarded", "healthy_digits_mlp", "guarded-run")
    with runtime.serve_in_thread(app) as url:
        yield url, run_id


def test_the_token_is_asked_once_and_sent_with_every_call_and_the_stream(page, guarded):
    url, run_id = guarded
    # The first calls answer 401 (Chrome logs each): the page then asks for the token.
    page.expected_errors.append(r"/api/v1/.* 401")
    page.get(f"{url}/?project=guarded")
    dialog = wait(lambda: page.find_element(By.CSS_SELECTOR, "dialog#token-dialog[open]"), 10,
                  what="the token prompt")
    dialog.find_element(By.TAG_NAME, "input").send_keys(TOKEN)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(lambda: ready(page), 10, what="the runs page")
    assert page.find_element(By.CSS_SELECTOR, f'#runs tr[data-run="{run_id}"]')
    assert page.execute_script("return sessionStorage.getItem('fitdoc.token')") == TOKEN
    shot(page, "runs-with-token")

    # Another page of the same tab: not asked again; its stream carries the token.
    page.get(f"{url}/runs/{run_id}")
    wait(lambda: ready(page), 15, what="the run page")
    assert not page.find_elements(By.CSS_SELECTOR, "dialog#token-dialog[open]")
    loss = "figure.chart[data-family='loss']"
    last = int(page.find_element(By.CSS_SELECTOR, loss).get_attribute("data-last-step"))
    wait(lambda: page.find_element(By.ID, "live").get_attribute("data-state") == "live", 5,
         what="the stream")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    started = time.monotonic()
    posted = httpx.post(f"{url}/api/v1/runs/{run_id}/metrics", headers=headers, json={
        "metrics": [{"key": "train_loss", "step": last + 1, "value": 0.04}]})
    assert posted.status_code == 200, posted.text
    wait(lambda: page.find_element(By.CSS_SELECTOR, loss).get_attribute("data-last-step")
         == str(last + 1), 2.0, what="the point, over the stream")
    print(f"with a token: a posted point drawn {(time.monotonic() - started) * 1000:.0f} ms later")

    # The token is never taken from a URL: the stream is no exception.
    refused = httpx.get(f"{url}/api/v1/events", params={"token": TOKEN},
                        headers={"Accept": "application/json"})
    assert refused.status_code == 401
