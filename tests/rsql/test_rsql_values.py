"""Each value type converts to the field's type and is bound, on each database."""
from __future__ import annotations

import pytest

CASES = [
    # string and text
    ("code==K-1", [1]),
    ("description=='cats and kittens'", [1]),
    # integer, big integer
    ("rank==+4", [4]),
    ("rank==-1", []),
    ("rank=='4'", [4]),
    ("visits=gt=9999999999", [1]),
    ("visits==10000000000", [1]),
    ("visits=lt=6", [2, 4]),
    # float
    ("rating==4.5", [1]),
    ("rating==-1.25", [4]),
    ("rating=lt=0", [4]),
    ("rating=ge=1e0", [1, 2]),
    # decimal and money
    ("income==100.5", [1]),
    ("income==100.50", [1]),
    ("income==0.0001", [5]),
    ("income=lt=0", [4]),
    ("income=gt=1e3", [2]),
    ("ratio=gt=0.2", [1, 2]),
    ("ratio==.25", [1]),
    # boolean
    ("active==true", [1, 4]),
    ("active==TRUE", [1, 4]),
    ("active==1", [1, 4]),
    ("active==false", [2, 5]),
    ("active==0", [2, 5]),
    ("active!=true", [2, 3, 5]),
    ("active=in=(true,false)", [1, 2, 4, 5]),
    # date
    ("opened==2024-01-15", [1, 5]),
    ("opened=gt=2024-01-31", [4]),
    ("opened=lt=2024-01-01", [2]),
    # datetime (naive = UTC; offsets converted to UTC)
    ("updated_at==2024-01-15T10:30:00", [1, 5]),
    ("updated_at=='2024-01-15 10:30'", [1, 5]),
    ("updated_at==2024-01-15T11:30:00+01:00", [1, 5]),
    ("updated_at=lt=2024-01-15T10:30:00Z", [2]),
    ("updated_at=gt=2024-02-29T23:59:59", [4]),
    ("updated_at==2024-02-29T23:59:59.5", [4]),
    ("updated_at=ge=2024-01-15", [1, 4, 5]),
    # time
    ("opens_at==09:00", [1]),
    ("opens_at==09:00:00", [1]),
    ("opens_at=gt=10:00", [2, 4]),
    ("opens_at==23:15:30", [4]),
    # enum (string values) by member name or value
    ("status==OPEN", [1, 5]),
    ("status==open", [1, 5]),
    ("status!=OPEN", [2, 3, 4]),
    ("status=in=(CLOSED,paused)", [2, 4]),
    ("status=like=us", [4]),
    # enum (integer values)
    ("level==HIGH", [2]),
    ("level==3", [2]),
    ("level=in=(LOW,2)", [1, 4, 5]),
    ("level=gt=LOW", [2, 4]),
    # ids as numbers or strings; many-to-one columns
    ("id==3", [3]),
    ("id=='3'", [3]),
    ("id=in=(1,\"2\",'5')", [1, 2, 5]),
    ("owner_id==1", [1, 5]),
    ("ownerId==1", [1, 5]),
    ("owner==1", [1, 5]),
    ("owner=out=(1)", [2, 3, 4]),
    # GraphQL (camelCase) spellings
    ("updatedAt=lt=2024-01-01", [2]),
    ("opensAt==09:00", [1]),
    # json and binary take null checks only
    ("payload=isnull=true", [2, 4, 5]),
    ("payload=notnull=true", [1, 3]),
    ("blob=isnull=false", [1]),
]


@pytest.mark.parametrize(("rsql", "expected"), CASES, ids=[case[0] for case in CASES])
def test_value(ids, rsql: str, expected: list[int]) -> None:
    assert ids(rsql) == expected
