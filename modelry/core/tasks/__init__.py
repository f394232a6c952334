"""Background work: async functions on a durable queue, scheduled functions, an outbox.

The contract (states, `current()`, errors) is here; the boot wires a `TaskQueue` into
each application (`app.tasks`, `app.enqueue`), whose workers claim tasks from the
app's own database, or take them from a broker when one is configured.
"""
from modelry.core.tasks.contract import TaskInfo, TaskState, current

__all__ = ["TaskInfo", "TaskState", "current"]
