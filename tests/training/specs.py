"""Small JobSpec dicts for the tests (tiny data, few epochs)."""

from __future__ import annotations

from typing import Any


def spec(**sections: Any) -> dict[str, Any]:
    """The three required sections with small defaults (wine, a one-layer mlp, Adam),
    overridden section by section: spec(model={"arch": "linear"}, training={"epochs": 2})."""
    base: dict[str, Any] = {
        "dataset": {"name": "wine"},
        "model": {"arch": "mlp", "width": 32, "depth": 1},
        "optimizer": {"name": "adam", "lr": 0.01},
        "training": {"epochs": 3, "batch_size": 32},
    }
    return {**base, **sections}
