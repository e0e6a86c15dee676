"""Shared fixtures for the training-package tests."""

from __future__ import annotations

from pathlib import Path

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
