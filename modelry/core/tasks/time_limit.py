"""`with time_limit(seconds):` raises TaskTimeout in this thread when the block overruns.

Python cannot stop a thread, so a timer raises the exception asynchronously in it (as
Dramatiq's TimeLimit does). It lands at the thread's next Python instruction: code blocked
inside a C call (a socket read, a long SQL statement) is interrupted only when that call
returns — the task's lease expiring lets another worker retry it meanwhile.
"""
from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator

from modelry.core.tasks.contract import TaskTimeout


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TaskTimeout in the current thread if the block runs longer than `seconds`."""
    thread_id = threading.get_ident()
    guard = threading.Lock()
    state = {"inside": True}

    def expire() -> None:
        with guard:
            if state["inside"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(TaskTimeout))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with guard:
            state["inside"] = False
        timer.cancel()
