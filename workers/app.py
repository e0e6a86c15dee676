"""The Celery application of the workers: `celery -A workers.app worker` (or `fitdoc worker`).

Importing this module imports no torch: the parent process of a prefork worker must not
touch CUDA before it forks, so training code is imported inside the task, in the child.
"""

from __future__ import annotations

from service.queue import make_celery
from service.settings import get_settings

celery_app = make_celery(get_settings())
celery_app.conf.include = ["workers.tasks"]
