"""The dashboard in a real browser: Debian's headless Chromium driven through selenium and
its chromedriver, against a real uvicorn server (the app in a thread of the test process,
so that the tests can seed its store) on a fresh embedded installation.

The browser tests skip when Chromium or the dashboard's assets are missing on a
developer's machine, and FAIL under CI=true (.ci/run installs Chromium; `make test` the
assets). Screenshots go to test-artifacts/web/ (git-ignored); their paths are printed at
the end of the run.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fitdoc import runtime
from service.api.web import VENDOR
from service.jobs import job_params
from service.schemas import JobSpec, JobStatus, MetricPoint, RunCreate
from tests.advisor.conftest import load
from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
SHOTS: list[Path] = []

pytestmark = pytest.mark.browser


def unavailable(why: str) -> None:
    if IN_CI:
        pytest.fail(f"{why} (CI=true: the browser tests must run, not skip)")
    pytest.skip(why)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        terminalreporter.write_sep("-", "dashboard screenshots")
        for path in SHOTS:
            terminalreporter.write_line(str(path))


# -- the seeded installation ------------------------------------------------------------


@dataclass
class Seeded:
    url: str
    app: Any
    project: str
    runs: dict[str, str] = field(default_factory=dict)  # name -> run id
    jobs: dict[str, str] = field(default_factory=dict)  # name -> job id
    big_run: str = ""
    big_points: int = 0

    def http(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, timeout=30, headers=headers)


def _points(series: dict[str, list[tuple[int, float]]]) -> list[MetricPoint]:
    return [MetricPoint(key=k, step=s, value=v if math.isfinite(v) else "NaN")
            for k, pts in series.items() for s, v in pts]


def external_run(stores, project: str, record: str, name: str) -> str:
    series, facts, _ = load(record)
    run = stores.tracking.create_run(RunCreate(project=project, name=name,
                                               params=facts.params, meta=facts.meta))
    stores.tracking.log_metrics(run.id, _points(series))
    stores.tracking.patch_run(run.id, _status("finished"))
    return run.id


def _status(value: str):  # type: ignore[no-untyped-def]
    from service.schemas import RunPatch

    return RunPatch(status=value)


def ended_job(stores, project: str, record: str, name: str):  # type: ignore[no-untyped-def]
    """A job with a benchmark run's spec and curves, ended as it did (no worker needed)."""
    series, facts, _ = load(record)
    spec = JobSpec.model_validate(facts.spec).resolved()
    run = RunCreate(project=project, name=name, params=job_params(spec), meta=facts.meta)
    job = stores.jobs.create_job(run, spec, epochs=facts.meta["planned_epochs"])
    stores.tracking.log_metrics(job.run_id, _points(series))
    val = [(v, s) for s, v in series["val_loss"] if math.isfinite(v)]
    stores.jobs.finish_job(job.id, JobStatus.succeeded, best_epoch=min(val)[1])
    return stores.jobs.get_job(job.id)


def big_run(stores, project: str, n: int) -> str:
    """A run of `n` batch steps: a noisy falling training loss, validation every 1000."""
    import numpy as np

    rng = np.random.default_rng(0)
    steps = np.arange(n)
    loss = 2.3 * np.exp(-steps / (n / 4)) + 0.1 + 0.05 * rng.standard_normal(n) ** 2
    run = stores.tracking.create_run(RunCreate(
        project=project, name=f"{n // 1000}k-steps",
        meta={"task": "classification", "num_classes": 10, "step_unit": "batch"}))
    chunk = 10_000
    for start in range(0, n, chunk):
        stores.tracking.log_metrics(run.id, [
            MetricPoint(key="train_loss", step=int(s), value=float(loss[s]))
            for s in range(start, min(n, start + chunk))])
    stores.tracking.log_metrics(run.id, [
        MetricPoint(key="val_loss", step=int(s), value=float(loss[s] + 0.15))
        for s in range(0, n, 1000)])
    return run.id


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Iterator[Seeded]:
    """A fresh embedded installation served on loopback (auth off), seeded with two
    external runs and two ended jobs (real curves of the advisor's benchmark), and a
    100,000-step run in a project of its own."""
    from service.api.app import create_app
    from service.store import migrate

    if not (VENDOR / "uPlot.esm.js").exists():
        unavailable(f"the dashboard's assets are missing ({VENDOR}): run `make web`")
    settings = runtime.embedded_settings(tmp_path_factory.mktemp("web"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url())
    app = create_app(settings)
    stores = app.state.stores
    project = "web-demo"
    seeded = Seeded(url="", app=app, project=project)
    seeded.runs["healthy-digits"] = external_run(stores, project, "healthy_digits_mlp",
                                                 "healthy-digits")
    seeded.runs["overfit-mnist1d"] = external_run(stores, project, "overfit_mnist1d_mlp",
                                                  "overfit-mnist1d")
    for name, record in (("overfit-wine-job", "overfit_wine_mlp"),
                         ("stuck-wine-job", "stuck_lowlr_wine_adam")):
        job = ended_job(stores, project, record, name)
        seeded.runs[name], seeded.jobs[name] = job.run_id, job.id
    seeded.big_points = 100_000
    seeded.big_run = big_run(stores, "web-big", seeded.big_points)
    with runtime.serve_in_thread(app) as url:
        seeded.url = url
        yield seeded


# -- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        unavailable(f"{CHROMIUM} and {CHROMEDRIVER} are needed "
                    "(apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """The browser, its console emptied before the test and read after it: a test that
    leaves a JavaScript error (or a failed load, an HTTP error it did not ask for) in the
    console fails."""
    browser.get_log("browser")
    browser.set_window_size(1280, 1000)
    browser.expected_errors = []  # patterns of errors a test provokes (a 422 it wants)
    yield browser
    errors = console_errors(
        browser, lambda message: any(re.search(p, message) for p in browser.expected_errors))
    assert not errors, f"console errors: {errors}"


def console_errors(driver, expected: Callable[[str], bool] = lambda message: False) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and not expected(entry["message"])]


def shot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    SHOTS.append(path)
    print(f"screenshot: {path}")
    return path


def wait(condition: Callable[[], Any], timeout: float = 10, every: float = 0.05,
         what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - an element not there yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def ready(driver) -> bool:  # type: ignore[no-untyped-def]
    return driver.execute_script("return document.body.dataset.ready === 'true'")
