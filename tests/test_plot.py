"""`fitdoc plot RUN_ID -o run.png`: a run's curves with their moving average and the
diagnosis as the caption, read from the store (as `fitdoc diagnose`) or over HTTP."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from fitdoc import runtime
from fitdoc.cli import app
from fitdoc.plot import ema
from service.schemas import MetricPoint, RunCreate
from service.settings import get_settings
from service.store import Stores, migrate
from tests.advisor.conftest import load


@pytest.fixture
def store_run(tmp_path, monkeypatch):
    """A SQLite store with one run (a benchmark run's real curves, overfitting) that the
    CLI reads through FITDOC_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'fitdoc.db'}"
    migrate.upgrade(url)
    stores = Stores.open(url)
    series, facts, _ = load("overfit_mnist1d_mlp")
    run = stores.tracking.create_run(RunCreate(project="plots", name="overfit-mnist1d",
                                               params=facts.params, meta=facts.meta))
    stores.tracking.log_metrics(run.id, [
        MetricPoint(key=k, step=s, value=v if math.isfinite(v) else "NaN")
        for k, points in series.items() for s, v in points])
    monkeypatch.setenv("FITDOC_DATABASE_URL", url)
    monkeypatch.setenv("FITDOC_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield url, run.id
    get_settings.cache_clear()


def drawn(path):
    """(width, height), the share of pixels that are not white, and of coloured ones
    (the curves: the axes, grid and text are grey)."""
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    ink = (image.min(axis=2) < 240).mean()
    coloured = ((image.max(axis=2) - image.min(axis=2)) > 60).mean()
    return Image.open(path).size, ink, coloured


def test_plot_writes_the_runs_curves_from_the_store(store_run, tmp_path):
    _, run_id = store_run
    out = tmp_path / "figures" / "run.png"
    result = CliRunner().invoke(app, ["plot", run_id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (overfitting)" in result.output
    (width, height), ink, coloured = drawn(out)
    # 4 panels (loss, accuracy, lr, grad_norm) in 2 rows of 2, 11 inches wide at 100 dpi
    assert width == 1100 and 600 < height < 800, (width, height)
    assert ink > 0.03 and coloured > 0.005, (ink, coloured)


def test_plot_reads_a_run_over_http_too(store_run, tmp_path):
    from service.api.app import create_app

    url, run_id = store_run
    settings = runtime.embedded_settings(tmp_path / "api", database_url=url)
    out = tmp_path / "over-http.png"
    with runtime.serve_in_thread(create_app(settings)) as api:
        result = CliRunner().invoke(app, ["plot", run_id, "-o", str(out), "--url", api])
        missing = CliRunner().invoke(app, ["plot", "no-such-run", "--url", api])
    assert result.exit_code == 0, result.output
    assert drawn(out)[2] > 0.005
    assert missing.exit_code != 0 and "404" in missing.output


def test_plot_refuses_an_unknown_run(store_run, tmp_path):
    result = CliRunner().invoke(app, ["plot", "no-such-run", "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and not (tmp_path / "x.png").exists()


def test_the_moving_average_is_debiased_like_tensorboards():
    smoothed = ema([2.0, 2.0, 2.0, float("nan"), 1.0], 0.6)
    assert smoothed[:3] == pytest.approx([2.0, 2.0, 2.0])  # no pull towards 0 at the start
    assert math.isnan(smoothed[3])
    # after 3 finite points at 2 and one at 1: (0.6 * s3 + 0.4 * 1) / (1 - 0.6^4)
    s3 = 2.0 * (1 - 0.6**3)
    assert smoothed[4] == pytest.approx((0.6 * s3 + 0.4) / (1 - 0.6**4))
    assert ema([1.0, 3.0], 0.0) == [1.0, 3.0]
