"""fitdoc: tracks training runs, trains them on workers, and diagnoses what is wrong."""

__version__ = "0.1.0"
