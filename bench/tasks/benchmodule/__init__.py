"""Module `taskbench`: the async functions the task benchmark queues and calls."""
from modelry import Module

module = Module("taskbench", version="1.0.0", depends=["base"])

from bench.tasks.benchmodule import jobs  # noqa: E402,F401
