"""`Long`: a 64-bit integer in a function's signature. Python sees an int; GraphQL a
`Long` (sent as a string, as ids and BigInteger fields are), where a plain `int` is
GraphQL's 32-bit `Int` (enough for counts and limits, not for ids or amounts)."""
from __future__ import annotations

from typing import NewType

Long = NewType("Long", int)
