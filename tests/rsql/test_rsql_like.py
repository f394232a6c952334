"""LIKE escaping: `%`, `_`, `/` and backslashes match literally on every database."""
from __future__ import annotations

import pytest

CASES = [
    # =like= (contains), =starts=, =ends= take their value literally, but an unquoted *
    ("code=like=%", [3]),
    ("code=like=_", [2]),
    ("code=like=\\", [4]),
    ("code=like='\\\\'", [4]),
    ("name=like=/", [4]),
    ("name=like=_50%", [4]),
    ("name=like=e_", [4]),
    ("name=starts=Bird/", [4]),
    ("name=ends=%", [4]),
    ("code=starts=D_", [2]),
    ("code=starts=D%", []),
    ("description=like='100%'", [2]),
    ("description=like='\\*'", [5]),
    ("description=like='star \\* and'", [5]),
    # ... an unquoted * matches any run of characters, as in == (the RSQL convention)
    ("description=like=*", [1, 2, 4, 5]),
    ("description=like=cat*kit", [1]),
    ("description=like=s*question", [5]),
    ("description=like=dogs*%", [2]),
    ("description=starts=dogs*happy", [2]),
    ("description=ends=and*cages", [4]),
    ("description=notlike=cat*kit", [2, 3, 4, 5]),
    # =ilike= contains ignoring case, on every database (=like= follows the collation)
    ("name=ilike=KITTY", [1]),
    ("name=ilike='bird/cage_5'", [4]),
    ("name=ilike=BIRD/CAGE%", []),
    ("description=ilike=CAT*KIT", [1]),
    ("name=notilike=DOG", [1, 3, 4, 5]),
    ("description=like=?", [5]),
    ("code=like='\"'", [5]),
    ("code=like=\"'\"", [5]),
    # wildcards in == and != : everything but the star is literal
    ("name==*_50%", [4]),
    ("name==*%", [4]),
    ("name==*/*", [4]),
    ("code==F%*", [3]),
    ("code==D_*", [2]),
    ("code==B\\*", [4]),
    ("code=='D_*'", [2]),
    ("code==*_*", [2]),
    ("code==*%*", [3]),
    ("description==star*", [5]),
    ("description=='star \\**'", [5]),
    ("description=='star \\* and question ?'", [5]),
    ("description=='star \\* and question'", []),
    ("description=='star * and question'", []),
    ("code==\"it's \\\"quoted\\\"\"", [5]),
    ("code=='it\\'s \"quoted\"'", [5]),
    ("code==B\\4", [4]),
]


@pytest.mark.parametrize(("rsql", "expected"), CASES, ids=[case[0] for case in CASES])
def test_like_escaping(ids, rsql: str, expected: list[int]) -> None:
    assert ids(rsql) == expected
