"""Models of `naptest`."""
from __future__ import annotations

import time

from modelry import Model, fields, function


class Nap(Model, model="naptest.Nap"):
    """A slow request: its function sleeps inside the request's transaction."""

    label = fields.String(size=16)

    @function(open_level="API", type="QUERY")
    @classmethod
    def nap(cls, seconds: float) -> int:
        """Count the naps, then sleep `seconds` holding the request's connection."""
        count = cls.count()
        time.sleep(seconds)
        return count
