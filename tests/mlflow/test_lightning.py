"""Lightning's MLFlowLogger logging to a real `fitdoc serve` (its embedded SQLite mode)
while training a model built to overfit: a wide MLP on 32 samples with half their labels
shuffled, 5 epochs on the CPU. Lightning logs per optimizer step and per epoch
(`train_loss_step`, `train_loss_epoch`, `step` the global step, an `epoch` metric beside);
fitdoc reads the epoch series and diagnoses overfitting."""

from __future__ import annotations

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

L = pytest.importorskip("lightning")
torch = pytest.importorskip("torch")


def data(seed: int = 0):
    """A learnable 4-class problem (a random linear teacher): 32 training samples, half of
    their labels redrawn at random, and 256 clean validation samples."""
    g = torch.Generator().manual_seed(seed)
    teacher = torch.randn(20, 4, generator=g)
    x = torch.randn(32 + 256, 20, generator=g)
    y = (x @ teacher).argmax(1)
    noisy = y[:32].clone()
    flip = torch.rand(32, generator=g) < 0.5
    noisy[flip] = torch.randint(0, 4, (int(flip.sum()),), generator=g)
    train = torch.utils.data.TensorDataset(x[:32], noisy)
    val = torch.utils.data.TensorDataset(x[32:], y[32:])
    return (torch.utils.data.DataLoader(train, batch_size=8, shuffle=True,
                                        generator=torch.Generator().manual_seed(seed)),
            torch.utils.data.DataLoader(val, batch_size=256))


class WideMLP(L.LightningModule):
    def __init__(self, lr: float = 0.01, width: int = 512) -> None:
        super().__init__()
        self.save_hyperparameters()
        nn = torch.nn
        self.net = nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, width),
                                 nn.ReLU(), nn.Linear(width, 4))

    def training_step(self, batch, _):
        x, y = batch
        out = self.net(x)
        loss = torch.nn.functional.cross_entropy(out, y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        self.log("train_acc", (out.argmax(1) == y).float().mean(), on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        out = self.net(x)
        self.log("val_loss", torch.nn.functional.cross_entropy(out, y))
        self.log("val_acc", (out.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def test_a_lightning_run_that_overfits_is_diagnosed_overfitting(embedded_api, monkeypatch):
    from lightning.pytorch.loggers import MLFlowLogger

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    torch.manual_seed(0)
    torch.set_num_threads(1)
    logger = MLFlowLogger(experiment_name="lightning-overfit", run_name="wide-mlp",
                          tracking_uri=embedded_api.url)
    trainer = L.Trainer(max_epochs=5, logger=logger, accelerator="cpu", log_every_n_steps=1,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, num_sanity_val_steps=0)
    train, val = data()
    trainer.fit(WideMLP(), train, val)

    api = httpx.Client(base_url=embedded_api.url, timeout=30)
    run = api.get(f"/api/v1/runs/{logger.run_id}").json()
    assert run["status"] == "finished" and run["project"] == "lightning-overfit"
    assert run["params"] == {"lr": "0.01", "width": "512"}
    assert run["meta"]["step_unit"] == "batch"
    series = api.get(f"/api/v1/runs/{logger.run_id}/metrics").json()["series"]
    assert {"train_loss_step", "train_loss_epoch", "val_loss", "epoch"} <= set(series)
    assert len(series["train_loss_epoch"]) == 5 and len(series["val_loss"]) == 5
    assert [p["step"] for p in series["val_loss"]] == [4 * e + 3 for e in range(5)]

    diagnosis = api.get(f"/api/v1/runs/{logger.run_id}/diagnosis").json()
    assert diagnosis["status"] == "overfitting", diagnosis
    # and the MLflow view of the run says so, in its tags
    from mlflow import MlflowClient

    tags = MlflowClient(embedded_api.url).get_run(logger.run_id).data.tags
    assert tags["fitdoc.diagnosis"] == "overfitting"
