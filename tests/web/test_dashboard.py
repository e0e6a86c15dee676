"""The dashboard (issue 16) in headless Chromium: each page against a seeded store, what it
shows checked against the API, live updates without a reload, the follow-up button, a
100,000-point series drawn in under a second, no console errors; a screenshot of each."""

from __future__ import annotations

import json
import math
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from fitdoc.plot import ema
from service.catalogue import deep_merge
from service.schemas import JobSpec
from tests.web.conftest import console_errors, ready, shot, wait

pytestmark = pytest.mark.browser

# A pixel drawn by a series: coloured (a channel apart from the others), not the grey of
# the grid, the axes and their labels.
COLOURED_PIXELS = """
return [...document.querySelectorAll(arguments[0] + ' canvas')].map((canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
  }
  return n;
});
"""


def open_page(driver, url: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    driver.get(url)
    try:
        wait(lambda: ready(driver), timeout, what=f"{url} to load")
    except AssertionError:
        shot(driver, "not-loaded")  # what the page shows, and its console
        print(driver.find_element(By.TAG_NAME, "body").text[:2000], driver.get_log("browser"))
        raise


def test_runs_page_lists_the_runs_with_their_diagnosis_badges(page, seeded):
    open_page(page, f"{seeded.url}/?project={seeded.project}")
    rows = page.find_elements(By.CSS_SELECTOR, "#runs tbody tr")
    # The seeded runs (and those that tests run before this one may have added)
    assert {row.get_attribute("data-run") for row in rows} >= set(seeded.runs.values())
    # Each row read in one script: the page redraws its rows when an event comes in (a
    # diagnosis made on write just after it loaded), so a row found a moment before may be
    # gone (selenium's stale element), and a badge may still be on its way to the status.
    row_of = """
        const row = document.querySelector(`#runs tr[data-run="${arguments[0]}"]`);
        const badge = row && row.querySelector('.badge'), link = row && row.querySelector('a');
        return row && [badge.dataset.status, [...badge.classList], link.innerText.trim()];"""
    with seeded.http() as http:
        for name, run_id in seeded.runs.items():
            status = http.get(f"/api/v1/runs/{run_id}/diagnosis").json()["status"]
            shown, classes, text = wait(
                lambda run_id=run_id, status=status: (
                    (row := page.execute_script(row_of, run_id)) and row[0] == status and row),
                what=f"{name}'s badge to say {status}")
            assert status in classes and text == name, (name, shown, classes, text)
    statuses = set(page.execute_script(
        "return [...document.querySelectorAll('#runs .badge')].map(b => b.dataset.status)"))
    assert {"healthy", "overfitting", "stuck"} <= statuses
    # The badges are coloured by status: healthy and stuck are not the same colour.
    colours = page.execute_script("""
        const c = (s) =>
          getComputedStyle(document.querySelector(`#runs .badge.${s}`)).backgroundColor;
        return [c('healthy'), c('stuck'), c('overfitting')];""")
    assert len(set(colours)) == 3, colours
    # Latest values from the run's own keys (the catalogue's aliases)
    cells = page.execute_script("""
        const row = document.querySelector(`#runs tr[data-run="${arguments[0]}"]`);
        return [...row.querySelectorAll('td.num')].map(td => td.innerText.trim());""",
        seeded.runs["healthy-digits"])
    assert cells and all(cells), cells
    shot(page, "runs")

    # Filter by diagnosis, then sort by a column (its button, from the keyboard).
    page.find_element(By.CSS_SELECTOR, "#diagnosis option[value='overfitting']").click()
    overfitting, total = page.execute_script("""return [
        document.querySelectorAll('#runs tbody .badge[data-status=overfitting]').length,
        document.querySelectorAll('#runs tbody tr').length]""")
    wait(lambda: len(page.find_elements(By.CSS_SELECTOR, "#runs tbody tr")) == overfitting,
         what="the overfitting runs only")
    assert {b.get_attribute("data-status")
            for b in page.find_elements(By.CSS_SELECTOR, "#runs .badge")} == {"overfitting"}
    page.find_element(By.CSS_SELECTOR, "#diagnosis option[value='']").click()
    wait(lambda: len(page.find_elements(By.CSS_SELECTOR, "#runs tbody tr")) == total,
         what="every run again")
    sort = page.find_element(By.CSS_SELECTOR, "button.sort[data-key='name']")
    sort.send_keys(Keys.ENTER)
    names = [a.text for a in page.find_elements(By.CSS_SELECTOR, "#runs tbody td a")]
    assert names in (sorted(names), sorted(names, reverse=True))
    sort = page.find_element(By.CSS_SELECTOR, "button.sort[data-key='name']")
    sort.send_keys(Keys.ENTER)
    assert [a.text for a in page.find_elements(By.CSS_SELECTOR, "#runs tbody td a")] == \
        list(reversed(names))


def test_a_new_run_and_its_badge_appear_on_the_runs_page_without_reload(page, seeded):
    open_page(page, f"{seeded.url}/?project={seeded.project}")
    page.execute_script("window.notReloaded = true")
    with seeded.http() as http:
        made = http.post("/api/v1/runs", json={
            "project": seeded.project, "name": "arrives-live",
            "meta": {"task": "classification", "num_classes": 10, "planned_epochs": 30}})
        run_id = made.json()["id"]
        for epoch in range(12):
            loss = 2.3 * 0.8 ** epoch + 0.05
            http.post(f"/api/v1/runs/{run_id}/metrics", json={"metrics": [
                {"key": "train_loss", "step": epoch, "value": loss},
                {"key": "val_loss", "step": epoch, "value": loss + 0.1}]})
        row = f'#runs tr[data-run="{run_id}"]'
        wait(lambda: page.find_element(By.CSS_SELECTOR, row), 5, what="the new run's row")
        status = http.get(f"/api/v1/runs/{run_id}/diagnosis").json()["status"]
        wait(lambda: page.find_element(By.CSS_SELECTOR, f"{row} .badge")
             .get_attribute("data-status") == status, 5, what=f"its badge: {status}")
    assert page.execute_script("return window.notReloaded") is True
    shot(page, "runs-live")


def test_the_run_page_draws_its_charts_and_shows_the_diagnosis(page, seeded):
    run_id = seeded.runs["overfit-wine-job"]
    open_page(page, f"{seeded.url}/runs/{run_id}")
    with seeded.http() as http:
        diagnosis = http.get(f"/api/v1/runs/{run_id}/diagnosis").json()
    wait(lambda: page.find_element(By.ID, "diagnosis-summary").text, what="the diagnosis")
    families = [f.get_attribute("data-family")
                for f in page.find_elements(By.CSS_SELECTOR, "figure.chart")]
    assert families == ["loss", "accuracy", "learning rate", "gradient norm"]
    drawn = page.execute_script(COLOURED_PIXELS, "figure.chart")
    assert len(drawn) >= 4 and all(n > 200 for n in drawn[:4]), drawn
    badge = page.find_element(By.CSS_SELECTOR, "#diagnosis .badge")
    assert badge.get_attribute("data-status") == diagnosis["status"]
    assert page.find_element(By.ID, "diagnosis-summary").text == diagnosis["summary"]
    causes = [c.text for c in page.find_elements(By.ID, "diagnosis-cause")]
    assert causes == ([diagnosis["cause"]] if diagnosis["cause"] else [])
    evidence = page.find_element(By.CSS_SELECTOR, "ul.evidence").text
    assert all(e["signal"] in evidence for e in diagnosis["evidence"])
    buttons = page.find_elements(By.CSS_SELECTOR, "button.follow-up")
    assert len(buttons) == sum(1 for s in diagnosis["suggestions"] if s["patch"]) > 0
    assert page.find_element(By.ID, "job-status").text == "succeeded"
    assert page.find_element(By.ID, "checkpoint").get_attribute("href").endswith(
        f"/api/v1/jobs/{seeded.jobs['overfit-wine-job']}/checkpoint")
    # Smoothing and log-y redraw without an error
    page.execute_script("""const s = document.getElementById('smoothing');
        s.value = '0.9'; s.dispatchEvent(new Event('input'));""")
    page.find_element(By.ID, "logy").click()
    assert all(n > 200 for n in page.execute_script(COLOURED_PIXELS, "figure.chart")[:4])
    page.find_element(By.ID, "logy").click()
    page.set_window_size(1280, 1500)
    shot(page, "run")


def test_a_point_posted_over_http_appears_within_2_seconds(page, seeded):
    run_id = seeded.runs["healthy-digits"]
    open_page(page, f"{seeded.url}/runs/{run_id}")
    loss = "figure.chart[data-family='loss']"
    last = int(page.find_element(By.CSS_SELECTOR, loss).get_attribute("data-last-step"))
    page.execute_script("window.notReloaded = true")
    with seeded.http() as http:
        started = time.monotonic()
        posted = http.post(f"/api/v1/runs/{run_id}/metrics", json={"metrics": [
            {"key": "train_loss", "step": last + 1, "value": 0.04},
            {"key": "val_loss", "step": last + 1, "value": 0.11}]})
        assert posted.status_code == 200, posted.text
    wait(lambda: page.find_element(By.CSS_SELECTOR, loss).get_attribute("data-last-step")
         == str(last + 1), 2.0, what="the new point on the loss chart")
    elapsed = time.monotonic() - started
    assert page.execute_script("return window.notReloaded") is True
    print(f"a point posted over HTTP was drawn {elapsed * 1000:.0f} ms later")
    assert elapsed < 2.0


def test_the_follow_up_button_starts_a_job_with_the_suggestions_patch(page, seeded):
    run_id = seeded.runs["stuck-wine-job"]
    parent_id = seeded.jobs["stuck-wine-job"]
    open_page(page, f"{seeded.url}/runs/{run_id}")
    with seeded.http() as http:
        diagnosis = http.get(f"/api/v1/runs/{run_id}/diagnosis").json()
        parent = http.get(f"/api/v1/jobs/{parent_id}").json()
    button = wait(lambda: page.find_element(By.CSS_SELECTOR, "button.follow-up"),
                  what="a follow-up button")
    index = int(button.get_attribute("data-index"))
    button.click()
    made = wait(lambda: page.find_element(By.CSS_SELECTOR, "code.new-job"), 10,
                what="the new job")
    job_id = made.get_attribute("data-job")
    with seeded.http() as http:
        job = http.get(f"/api/v1/jobs/{job_id}").json()
    patch = diagnosis["suggestions"][index]["patch"]
    assert job["parent_id"] == parent_id and job["status"] == "queued"
    assert job["applied"] == {"action": diagnosis["suggestions"][index]["action"],
                              "patch": patch}
    assert job["spec"] == JobSpec.model_validate(deep_merge(parent["spec"], patch)).resolved()
    wait(lambda: page.find_element(By.CSS_SELECTOR, "#lineage table"), 5,
         what="the chain's lineage")
    rows = page.find_elements(By.CSS_SELECTOR, "#lineage tbody tr")
    assert len(rows) == 2
    shot(page, "run-follow-up")


def test_compare_overlays_three_runs_and_highlights_differing_params(page, seeded):
    ids = [seeded.runs[n] for n in ("healthy-digits", "overfit-mnist1d", "overfit-wine-job")]
    open_page(page, f"{seeded.url}/compare?runs={','.join(ids)}")
    loss = page.find_element(By.CSS_SELECTOR, "figure.chart[data-family='loss']")
    assert loss.get_attribute("data-runs") == "3"
    legend = [li.get_attribute("data-run")
              for li in page.find_elements(By.CSS_SELECTOR, "#legend li")]
    assert legend == ids
    # Each run's colour is drawn on the loss chart.
    colours = page.execute_script("""
        const canvas = document.querySelector("figure.chart[data-family='loss'] canvas");
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const want = arguments[0].map(
          (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
        const near = (i, rgb) => rgb.every((v, j) => Math.abs(data[i + j] - v) < 8);
        return want.map((rgb) => {
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (near(i, rgb)) n++;
          return n;
        });""", ["#1f6fd1", "#e8710a", "#1e8e3e"])
    assert all(n > 50 for n in colours), colours
    differ = {tr.get_attribute("data-param")
              for tr in page.find_elements(By.CSS_SELECTOR, "#params tr.diff")}
    same = {tr.get_attribute("data-param")
            for tr in page.find_elements(By.CSS_SELECTOR, "#params tr.same")}
    assert "n_train" in differ and "optimizer" in same, (differ, same)
    page.find_element(By.ID, "only-diff").click()
    assert all(not tr.is_displayed()
               for tr in page.find_elements(By.CSS_SELECTOR, "#params tr.same"))
    page.set_window_size(1280, 1400)
    shot(page, "compare")


def test_a_100k_point_series_renders_in_under_a_second(page, seeded):
    """Measured in the browser (performance.now() from the data's arrival to the charts'
    first draw): as the page asks for it (downsampled to the chart's pixels, min/max
    bands), and the whole raw series (?points=1000000: nothing downsampled)."""
    figures = {}
    for label, suffix in (("downsampled", ""), ("raw", "?points=1000000")):
        open_page(page, f"{seeded.url}/runs/{seeded.big_run}{suffix}", timeout=30)
        out = wait(lambda: page.find_element(By.CSS_SELECTOR, "#render-time[data-ms]"), 20,
                   what="the render time")
        figures[label] = (float(out.get_attribute("data-ms")),
                          int(out.get_attribute("data-points")))
        assert all(n > 200 for n in page.execute_script(COLOURED_PIXELS, "figure.chart"))
        shot(page, f"run-100k-{label}")
    print(f"100,000-point run drawn: {figures}")
    assert figures["raw"][1] >= seeded.big_points  # every point reached the browser
    assert figures["downsampled"][1] < seeded.big_points / 10
    for ms, _ in figures.values():
        assert ms < 1000


def test_jobs_page_lists_jobs_and_shows_422s_at_their_field(page, seeded):
    # Chrome logs each 4xx answer as an error: these two are the ones the test provokes.
    page.expected_errors.append(r"/api/v1/jobs - Failed to load resource: .* 422")
    open_page(page, f"{seeded.url}/jobs?project={seeded.project}")
    finished = page.find_element(By.CSS_SELECTOR, "section[data-group='finished']")
    listed = {li.get_attribute("data-job") for li in finished.find_elements(By.CSS_SELECTOR, "li")}
    assert set(seeded.jobs.values()) <= listed
    spec = page.find_element(By.ID, "f-spec")
    bad = {"dataset": {"name": "mnist1d"}, "model": {"arch": "transformer"},
           "optimizer": {"name": "adam"}}
    spec.clear()
    spec.send_keys(json.dumps(bad, indent=2))
    page.find_element(By.CSS_SELECTOR, "#submit button[type=submit]").click()
    error = wait(lambda: page.find_element(By.ID, "err-spec").text, 5, what="the spec's error")
    assert page.find_element(By.ID, "err-spec").get_attribute("data-field") == "spec.model.arch"
    assert error.startswith("spec.model.arch:")
    assert spec.get_attribute("aria-invalid") == "true"
    selected = page.execute_script(
        "const t = document.getElementById('f-spec');"
        "return t.value.slice(t.selectionStart, t.selectionEnd);")
    assert selected == '"arch"'
    shot(page, "jobs-422")

    page.find_element(By.ID, "f-project").clear()
    page.find_element(By.CSS_SELECTOR, "#submit button[type=submit]").click()
    wait(lambda: page.find_element(By.ID, "err-project").text, 5, what="the project's error")
    assert page.find_element(By.ID, "f-project").get_attribute("aria-invalid") == "true"

    page.find_element(By.ID, "f-project").send_keys(seeded.project)
    good = {"dataset": {"name": "mnist1d"}, "model": {"arch": "mlp", "widths": [32]},
            "optimizer": {"name": "adam"}, "training": {"epochs": 3}}
    spec.clear()
    spec.send_keys(json.dumps(good))
    page.find_element(By.CSS_SELECTOR, "#submit button[type=submit]").click()
    made = wait(lambda: page.find_element(By.CSS_SELECTOR, "#submitted code.new-job"), 10,
                what="the new job")
    job_id = made.get_attribute("data-job")
    assert not page.find_element(By.ID, "err-spec").text
    wait(lambda: page.find_element(
        By.CSS_SELECTOR, f"section[data-group='queued'] li[data-job='{job_id}']"), 5,
        what="the job among the queued ones")
    with seeded.http() as http:
        assert http.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
    shot(page, "jobs")


def test_pages_fit_a_phone_and_are_keyboard_reachable(page, seeded):
    page.set_window_size(390, 844)
    for name, path in (("runs", f"/?project={seeded.project}"),
                       ("run", f"/runs/{seeded.runs['overfit-mnist1d']}"),
                       ("jobs", f"/jobs?project={seeded.project}")):
        open_page(page, seeded.url + path)
        width = page.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (name, width)
        shot(page, f"phone-{name}")
    page.set_window_size(1280, 1000)
    open_page(page, f"{seeded.url}/?project={seeded.project}")
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    reached = set()
    for _ in range(40):
        active = page.switch_to.active_element
        reached.add((active.tag_name, active.get_attribute("href") or active.get_attribute("id")
                     or active.get_attribute("data-key") or ""))
        active.send_keys(Keys.TAB)
    hrefs = {h for tag, h in reached if tag == "a"}
    assert any("/runs/" in h for h in hrefs), reached
    assert any(tag == "select" for tag, _ in reached) and any(tag == "button" for tag, _ in reached)


def test_a_page_says_plainly_when_the_chart_assets_are_missing(browser, seeded):
    browser.get_log("browser")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/static/vendor/*"]})
    try:
        open_page(browser, f"{seeded.url}/runs/{seeded.runs['healthy-digits']}")
        message = wait(lambda: browser.find_element(By.ID, "assets-missing"), 5,
                       what="the missing-assets message")
        assert "make web" in message.text and message.is_displayed()
        # The diagnosis still shows: only the charts need the library.
        assert browser.find_element(By.ID, "diagnosis-summary").text
        shot(browser, "run-assets-missing")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    errors = console_errors(browser, expected=lambda m: "static/vendor/" in m)
    assert not errors, errors


def test_the_dashboards_moving_average_is_fitdoc_plots(page, seeded):
    """charts.js's EMA (in the browser) and fitdoc/plot.py's give the same curve."""
    open_page(page, f"{seeded.url}/?project={seeded.project}")
    values = [2.0, 1.5, None, 1.2, 0.9, 1.1, 0.7, 0.75]
    smoothed = page.execute_async_script("""
        const [values, done] = arguments;
        import('/static/charts.js').then((m) => done(m.ema(values, 0.6)));""", values)
    expected = ema([math.nan if v is None else v for v in values], 0.6)
    assert [None if math.isnan(e) else pytest.approx(e) for e in expected] == smoothed
