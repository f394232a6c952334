"""The DBA path equals INSTALL, for the demo module, with the real clients and the real
server: `modelry boot --lifecycle ddl` printed and applied with sqlite3 / psql / mysql
gives the rows INSTALL writes (built-in roles, demo data, install registry), in every
table, and once users and rights are made with the CLI the served API answers the same,
anonymous and logged in."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelry.boot import boot
from tests.boot.helpers import (
    apply_script, comparable_rows, run_cli, sibling_database, statements)
from tests.security.conftest import AuthServer

DEMO = ("--module", "demo")
PASSWORD = "Ann's s3cret"
BREEDS = '{ petBreedQuery { queryPage(page: {size: 20, sort: {orders: [{field: "name", ' \
         'direction: ASC}]}}) { totalElements content { id name } } } }'
TAGS = '{ petTagQuery { queryListByWrapper(queryWrapper: {rsql: "color != red"}) ' \
       '{ id name color description } } }'
SHOPS = '{ petShopQuery { queryPage(page: {size: 5}) { totalElements content { id name ' \
        'status income tags { name } } } } }'
ROLES = '{ roleQuery { queryListByWrapper(queryWrapper: {rsql: "id > 0"}) { code } } }'
CREATE_SHOP = 'mutation { petShopMutation { create(data: {name: "Kitty corner", code: "K1", ' \
              'tags: [{id: "1"}, {id: "3"}]}) { id name status income tags { id name } } } }'
LOGIN = 'mutation { authMutation { login(login: "ann", password: "%s") { token } } }'


@pytest.fixture
def installed_twin(empty_database: str) -> Iterator[str]:
    """A second empty database on the same server, for INSTALL to build."""
    with sibling_database(empty_database, "installed") as url:
        yield url


def cli(*arguments: str) -> str:
    """Run `modelry ...`; its stderr (it must succeed)."""
    done = run_cli(*arguments)
    assert done.returncode == 0, done.stderr
    return done.stderr


def conversation(url: str) -> list[Any]:
    """What a front end sees of the demo served from `url`: anonymous, then as ann."""
    server = AuthServer(boot(database=url, modules=["demo"], lifecycle="reload").asgi)
    try:
        def body(query: str, token: str | None = None) -> Any:
            answer = server.gql_as(token, query)
            return answer.status, answer.body
        seen: list[Any] = [body(BREEDS), body(TAGS), body(SHOPS), body(ROLES)]
        login = server.gql_as(None, LOGIN % PASSWORD).ok()
        token = login["authMutation"]["login"]["token"]
        seen += [body(query, token) for query in (BREEDS, TAGS, CREATE_SHOP, SHOPS, ROLES)]
        return seen
    finally:
        server.stop()


@pytest.mark.long_running
def test_a_ddl_built_database_serves_what_an_installed_one_serves(
        empty_database: str, installed_twin: str, tmp_path: Path) -> None:
    dba, installed = empty_database, installed_twin
    script = tmp_path / "demo.sql"
    printed = cli("boot", "--lifecycle", "ddl", *DEMO, "--database", dba, "--output",
                  str(script))
    assert "data rows 12 new" in " ".join(printed.split())
    applied = apply_script(dba, script)
    assert applied.returncode == 0 and "ERROR" not in applied.stderr.upper(), applied.stderr
    cli("boot", "--lifecycle", "install", *DEMO, "--database", installed)

    rows = comparable_rows(dba)
    assert rows == comparable_rows(installed)
    assert [row[1] for row in rows["base_role"]] == ["anonymous", "user"]
    assert len(rows["base_model_data"]) == 12 and len(rows["demo_pet_breed"]) == 6

    again = tmp_path / "again.sql"
    summary = cli("boot", "--lifecycle", "ddl", *DEMO, "--database", dba, "--output",
                  str(again))
    assert "DDL: no changes: the database already matches the code" in summary
    assert statements(again.read_text()) == []

    for url in (dba, installed):
        cli("user", "create", *DEMO, "--database", url, "--login", "ann", "--password",
            PASSWORD, "--role", "user")
        cli("grant", "--role", "user", "--module", "demo", "--database", url)
        cli("grant", "--role", "anonymous", "--model", "demo.PetBreed", "--model",
            "demo.PetTag", "--perms", "read", "--database", url)
    unsalted = [{table: found for table, found in comparable_rows(url).items()
                 if table != "base_user"} for url in (dba, installed)]  # salted hashes
    assert unsalted[0] == unsalted[1]

    served, expected = conversation(dba), conversation(installed)
    assert served == expected
    anonymous_breeds, anonymous_tags, anonymous_shops, anonymous_roles = served[:4]
    assert anonymous_breeds[1]["data"]["petBreedQuery"]["queryPage"]["totalElements"] == 6
    assert len(anonymous_tags[1]["data"]["petTagQuery"]["queryListByWrapper"]) == 3
    for refused in (anonymous_shops, anonymous_roles):  # not granted to anonymous
        assert refused[1]["extensions"]["success"] is False, refused
    assert all(answer[1]["extensions"]["success"] for answer in served[4:8]), served[4:8]
    created = served[6][1]["data"]["petShopMutation"]["create"]
    assert [tag["name"] for tag in created["tags"]] == ["birds", "grooming"]
