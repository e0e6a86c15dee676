"""`fitdoc plot RUN_ID -o run.png`: a run's curves as the dashboard draws them, for papers
and terminals: a panel per metric family (loss train + val, accuracy, lr, grad_norm), the
raw series faint behind a moving average (the dashboard's debiased EMA), the best step and
`since_step` marked, and the diagnosis as the caption.

The run is read from the store (FITDOC_DATABASE_URL / the data dir), as `fitdoc diagnose`
reads it, or over HTTP from a running API (`--url`, with `--token` when it asks for one).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.catalogue import resolve_metric_keys

# Points per series: more than a 1,100-pixel-wide figure can show (each bucket's extremes
# are kept, as the dashboard asks the API for them).
MAX_POINTS = 4000
SMOOTHING = 0.6  # the dashboard's default
FAMILIES = (
    ("loss", ("train_loss", "val_loss")),
    ("accuracy", ("train_acc", "val_acc")),
    ("learning rate", ("lr",)),
    ("gradient norm", ("grad_norm",)),
)
COLOURS = ("#1f6fd1", "#e8710a")


@dataclass
class RunView:
    run: dict[str, Any]
    series: dict[str, list[tuple[int, float]]]
    diagnosis: dict[str, Any]


def ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, as the dashboard's charts.js `ema`: s = w s + (1 - w) y,
    divided by 1 - w^n (n finite points so far); NaN and infinities pass through."""
    out: list[float] = []
    last, n = 0.0, 0
    for y in values:
        if not math.isfinite(y) or weight <= 0:
            out.append(y)
            continue
        last = last * weight + (1 - weight) * y
        n += 1
        out.append(last if weight >= 1 else last / (1 - weight**n))
    return out


def read_store(run_id: str) -> RunView:
    from service.diagnosis import diagnose_run
    from service.downsample import downsample
    from service.settings import get_settings
    from service.store import Stores

    stores = Stores.open(get_settings().resolved_database_url())
    run = stores.tracking.get_run(run_id)
    series = {key: downsample(points, MAX_POINTS)
              for key, points in stores.tracking.read_series(run_id, None).items()}
    diagnosis = diagnose_run(stores.diagnoses, run_id)
    return RunView(run.model_dump(mode="json"), series, diagnosis.model_dump(mode="json"))


def read_http(url: str, token: str | None, run_id: str) -> RunView:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:

        def get(path: str, **params: Any) -> Any:
            try:
                response = http.get(f"/api/v1/runs/{run_id}{path}", params=params)
            except httpx.TransportError as down:
                raise LookupError(f"cannot reach the API at {url}: {down}") from down
            if response.status_code >= 400:
                try:
                    message = response.json()["error"]["message"]
                except (ValueError, KeyError, TypeError):
                    message = response.text[:200]
                raise LookupError(f"{response.status_code}: {message}")
            return response.json()

        run = get("")
        metrics = get("/metrics", max_points=MAX_POINTS)["series"]
        diagnosis = get("/diagnosis")
    series = {key: [(p["step"], float(p["value"])) for p in points]
              for key, points in metrics.items()}
    return RunView(run, series, diagnosis)


def caption(diagnosis: dict[str, Any], width: int = 150) -> str:
    head = diagnosis["status"] + (f" ({diagnosis['cause']})" if diagnosis.get("cause") else "")
    lines = textwrap.wrap(f"diagnosis: {head}. {diagnosis['summary']}", width)
    suggestions = sorted(diagnosis.get("suggestions") or [], key=lambda s: s["priority"])
    if suggestions:
        first = suggestions[0]
        lines += textwrap.wrap(f"first suggestion: {first['action']}: {first['rationale']}", width)
    return "\n".join(lines)


def plot_run(view: RunView, out: Path, smoothing: float = SMOOTHING) -> Path:
    """Write the run's figure to `out` (PNG, 1100 pixels wide)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    resolved = resolve_metric_keys(list(view.series))
    used = set(resolved.values())
    panels = [(title, [resolved[c] for c in names if c in resolved])
              for title, names in FAMILIES]
    panels = [(title, keys) for title, keys in panels if keys]
    panels += [(key, [key]) for key in sorted(view.series) if key not in used]
    panels = panels or [("no metric points yet", [])]
    columns = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / columns)
    text = caption(view.diagnosis)
    caption_inches = 0.3 + 0.2 * (text.count("\n") + 1)
    fig, axes = plt.subplots(rows, columns, figsize=(11, 3.0 * rows + caption_inches),
                             squeeze=False)
    marks = ((view.diagnosis.get("best_step"), "best", "#1e8e3e"),
             (view.diagnosis.get("since_step"), "since", "#c5221f"))
    for ax, (title, keys) in zip(axes.flat, panels, strict=False):
        for i, key in enumerate(keys):
            steps = [s for s, _ in view.series[key]]
            values = [v for _, v in view.series[key]]
            colour = COLOURS[i % len(COLOURS)]
            ax.plot(steps, values, color=colour, alpha=0.3, linewidth=1)
            ax.plot(steps, ema(values, smoothing), color=colour, linewidth=2, label=key)
        if title == "learning rate" and keys and _spans_decades(view.series[keys[0]]):
            ax.set_yscale("log")
        for step, label, colour in marks:
            if step is not None and keys:
                ax.axvline(step, color=colour, linestyle="--", linewidth=1.2)
                ax.annotate(f"{label} {step}", xy=(step, 1), xycoords=("data", "axes fraction"),
                            xytext=(3, -12 if label == "best" else -24),
                            textcoords="offset points", color=colour, fontsize=8)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if keys:
            ax.legend(fontsize=8, loc="best")
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    run = view.run
    fig.suptitle(f"{run['name']}  ({run['project']}, {run['source']} run, {run['status']})  "
                 f"smoothing {smoothing:.2f}", fontsize=12, x=0.01, ha="left")
    fig.text(0.01, 0.01, text, fontsize=9, va="bottom", ha="left", wrap=True)
    fig.tight_layout(rect=(0, caption_inches / fig.get_figheight(), 1, 0.97))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _spans_decades(points: list[tuple[int, float]]) -> bool:
    values = [v for _, v in points if math.isfinite(v)]
    return bool(values) and min(values) > 0 and max(values) / min(values) >= 10
