"""fitdoc's composition root: the `fitdoc` command, the demo, and the runtime that starts and
stops the API and the workers. Only this package puts `service` and `workers` together."""
