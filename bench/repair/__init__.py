"""The repair benchmark: JobSpecs with known, injected training faults (specs.py), their
in-process validation (validate.py) and the runner through fitdoc's HTTP API (run.py).
See README.md beside this file."""
