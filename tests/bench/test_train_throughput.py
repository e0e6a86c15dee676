"""bench/train_throughput.py, run small on the CPU: the code a GPU session will run works,
and it counts what it claims to count."""

from __future__ import annotations

import argparse

import pytest
import torch

from bench import train_throughput as bench

pytestmark = pytest.mark.slow  # ~10 s: three loops train two rounds of two workloads


# The GPU image workload (crop + flip, batch 512, bf16 overridden below) with a 4-channel
# cnn: the same code paths at a CPU's pace (the default cnn trains ~330 images/s here).
_images = bench.WORKLOADS["cnn-gpu"]
TINY_IMAGES = bench.Workload({**_images.spec, "model": {"arch": "cnn", "width": 4}}, "cuda", 1000)


@pytest.fixture(scope="module")
def args(tmp_path_factory) -> argparse.Namespace:
    # The GPU image workload (crop + flip, batch 512) with device and precision overridden,
    # as `--device cpu --precision fp32 --n-train 1000` does.
    return argparse.Namespace(
        epochs=3,
        repeats=2,
        compile=False,
        device="cpu",
        n_train=1000,
        precision="fp32",
        data_dir=tmp_path_factory.mktemp("data"),
    )


@pytest.fixture(scope="module")
def rows(args) -> list[bench.Row]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [
            bench.run_workload("cnn-gpu", TINY_IMAGES, args),
            bench.run_workload("mlp-cpu", bench.WORKLOADS["mlp-cpu"], args),
        ]
    finally:
        torch.set_num_threads(threads)


def test_every_loop_runs_every_round_and_the_ratio_is_paired(rows):
    for row in rows:
        assert set(row.rates) == {"fitdoc", "reference", "naive"}
        assert all(len(rates) == 2 and min(rates) > 0 for rates in row.rates.values())
        assert len(row.runs) == 2
        pairs = zip(row.ratios, row.rates["fitdoc"], row.rates["reference"], strict=True)
        for ratio, fit, ref in pairs:
            assert ratio == pytest.approx(fit / ref)


def test_samples_are_those_really_trained(rows, args):
    # 1,000 images in batches of 512: fitdoc trains them all, the reference loop drops the
    # last partial batch and trains 512; the first of the 3 epochs is left out.
    fitdoc = rows[0].runs[0].timing
    assert fitdoc.samples == 1000 and len(fitdoc.seconds) == 2
    spec = {**bench.WORKLOADS["cnn-gpu"].spec, "training": {"batch_size": 512}}
    work = bench.Workload(spec, "cpu", 1000)
    data = bench.load_data(
        bench.TrainConfig.from_dict(
            {**spec, "dataset": {**spec["dataset"], "n_train": 1000}}
        ).dataset,
        args.data_dir,
    )

    def model():
        return torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, data.num_outputs)
        )

    reference = bench.reference_loop(model, data, work, 2, torch.device("cpu"))
    naive = bench.naive_loop(model, data, work, 2, torch.device("cpu"))
    assert reference.samples == naive.samples == 512 and len(reference.seconds) == 1


def test_bookkeeping_parts_are_measured_and_reported(rows, capsys):
    for row in rows:
        for run in row.runs:
            assert len(run.eval_seconds) == 2 and all(s > 0 for s in run.eval_seconds)
            assert len(run.hook_seconds) == 2 and min(run.hook_seconds) > 0  # service present
            assert run.best_seconds > 0 and run.save_seconds > 0 and run.save_bytes > 0
            assert len(run.losses) == 3
    bench.print_report(rows, argparse.Namespace(compile=False))
    out = capsys.readouterr().out
    assert "cnn-gpu" in out and "mlp-cpu" in out and "n/a" not in out
    assert out.count("train_loss by epoch") == 2
