"""Shared fixtures for the training-package tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so mnist1d is generated (~3 s) once."""
    return tmp_path_factory.mktemp("fitdoc-data")


@pytest.fixture(autouse=True)
def one_thread():
    """Run each test on one intra-op thread. The models here are tiny, and on a shared
    2-core machine a second OpenMP thread waiting for a busy core made the mnist1d test 20x
    slower (47 s instead of 2.5 s) while benchmarks ran beside it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def place(tmp_path):
    """Dataset roots a/ and b/ under tmp_path (a/in.npz, b/other.npz) and a file outside
    them (elsewhere/secret.npz): for the path rule and the engine's use of it."""
    a, b, elsewhere = tmp_path / "a", tmp_path / "b", tmp_path / "elsewhere"
    for folder in (a, b, elsewhere):
        folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {"x": rng.normal(size=(30, 4)).astype(np.float32), "y": rng.integers(0, 2, 30)}
    for path in (a / "in.npz", b / "other.npz", elsewhere / "secret.npz"):
        np.savez(path, **arrays)
    return a, b, elsewhere
