"""Experiments (issue 13): the lecture's probes and procedures run as groups of jobs.

kinds.py holds what each kind plans and concludes (pure functions); run.py makes the jobs,
advances an experiment as they end and stores what it found."""

from service.experiments.kinds import KINDS, Done, Kind, Outcome, Planned
from service.experiments.run import advance, advance_after, advance_unfinished, cancel, start

__all__ = [
    "KINDS",
    "Done",
    "Kind",
    "Outcome",
    "Planned",
    "advance",
    "advance_after",
    "advance_unfinished",
    "cancel",
    "start",
]
