"""Large freed buffers go back to the operating system, so a server's memory follows
what it holds (glibc only; elsewhere nothing changes).

glibc gives each allocation of 128 KB or more its own mapping and unmaps it when freed,
until the first such buffer is freed: then it raises that threshold to the freed size
(up to 32 MB), and later large buffers (request bodies up to `max_body_bytes`, their
decoded JSON, a document's text and tokens) come from the heap, which seldom shrinks.
A few hundred requests of large bodies left a server 20 MB larger for good. Setting the
threshold explicitly turns that adjustment off.
"""
from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
THRESHOLD = 128 * 1024  # glibc's own default


def unmap_large_buffers(threshold: int = THRESHOLD) -> bool:
    """Keep buffers of `threshold` bytes and more in their own mappings; False when the
    C library is not glibc (or refuses)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
