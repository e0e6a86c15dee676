"""The advisor: pure functions from a run's curves and facts to a `Diagnosis`.

    from service.advisor import diagnose, RunFacts, ADVISOR_VERSION
    d = diagnose({"loss": [(0, 2.3), (1, 1.9), ...], "val_loss": [...]}, RunFacts(...))

Imports only the standard library, numpy and `service.schemas` (no torch, no DB, no I/O).
See README.md for the precedence of statuses, the checks and their thresholds.
"""

from service.advisor.diagnose import ADVISOR_VERSION, diagnose
from service.advisor.facts import RunFacts
from service.advisor.thresholds import DEFAULT, Thresholds

__all__ = ["ADVISOR_VERSION", "DEFAULT", "RunFacts", "Thresholds", "diagnose"]
