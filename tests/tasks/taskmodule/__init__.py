"""Test module `tasktest`: async functions of every kind, for the task queue tests."""
from modelry import Module

module = Module("tasktest", version="1.0.0", depends=["base"], display_name="Task tests")

from tests.tasks.taskmodule import jobs, models  # noqa: E402,F401
