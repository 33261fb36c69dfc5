from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import actions


@db_task()
def run_import(run_id: int) -> None:
    actions.execute(run_id)
