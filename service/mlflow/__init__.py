"""MLflow's tracking REST API over fitdoc's store (issue 15): the stock `mlflow` client,
Lightning's MLFlowLogger and Hugging Face's MLflowCallback log to fitdoc unchanged, and each
run they log is diagnosed like any other.

- errors: MLflow's error codes, and fitdoc's errors in them;
- search: the filter, order_by and page-token language of its searches;
- messages: its request bodies and the JSON of its entities, from fitdoc's views;
- tracking: its experiment, run and metric-history calls;
- artifacts: its `mlflow-artifacts` files, in the data dir.

The HTTP side (routes, statuses) is service/api/mlflow.py; the SQL is
service/store/mlflow.py. docs/ARCHITECTURE.md, "MLflow compatibility", says what maps to
what and what is left out.
"""
