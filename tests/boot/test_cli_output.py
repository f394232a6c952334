"""What `modelry` tells a person: a first line naming the lifecycle and the database (never
its password, and where a default SQLite file goes), the options only with --verbose, and
help for every boot option; `serve --lifecycle` takes the same choices as `boot`."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from modelry.cli import main
from modelry.config import describe_database
from tests.boot.helpers import run_cli

V1 = "tests.boot.shop_v1"


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_database_is_described_without_its_password(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    assert describe_database("postgresql://ann:hunter2@db.example:5432/shop") == \
        "postgresql://ann:***@db.example:5432/shop"
    assert describe_database("mysql+pymysql://root@127.0.0.1/shop") == \
        "mysql+pymysql://root@127.0.0.1/shop"
    monkeypatch.chdir(tmp_path)
    assert describe_database("sqlite:///shop.db") == f"SQLite file {tmp_path}/shop.db (new)"
    (tmp_path / "shop.db").write_bytes(b"")
    assert describe_database("sqlite:///shop.db") == f"SQLite file {tmp_path}/shop.db"
    assert describe_database("sqlite://") == "SQLite in memory"


def test_boot_without_a_database_says_where_it_writes(tmp_path: Path) -> None:
    done = run_cli("boot", "--module", V1, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = one_line(done.stderr.splitlines()[0])
    assert first.startswith(f"INSTALL of base, boot_shop on SQLite file {tmp_path}/modelry.db "
                            "(new), the default: no --database, MODELRY_DATABASE_URL")
    assert (tmp_path / "modelry.db").exists()
    again = run_cli("boot", "--module", V1, "--lifecycle", "reload", cwd=tmp_path)
    assert f"RELOAD of base, boot_shop on SQLite file {tmp_path}/modelry.db, the default" in \
        one_line(again.stderr)


def test_the_first_line_hides_the_password_and_the_options_need_verbose(
        tmp_path: Path) -> None:
    url = "postgresql://ann:hunter2@127.0.0.1:1/nowhere"
    plain, verbose = (run_cli("boot", "--database", url, "--module", V1, *extra, cwd=tmp_path)
                      for extra in ((), ("--verbose",)))
    for done in (plain, verbose):
        assert done.returncode == 1  # nothing listens there
        assert "INSTALL of base, boot_shop on postgresql://ann:***@127.0.0.1:1/nowhere" in \
            done.stderr
        assert "hunter2" not in done.stderr
    assert not any(line.startswith("{") for line in plain.stderr.splitlines())
    assert any(line.startswith('{"allow_destructive": false') for line in
               verbose.stderr.splitlines())


@pytest.mark.parametrize("command", ["boot", "serve", "grant"])
def test_every_option_has_help(command: str) -> None:
    options = [p for p in main.commands[command].params if isinstance(p, click.Option)]
    assert {"--lifecycle", "--module-online", "--meta-online", "--open-api", "--init-data",
            "--verbose"} <= {name for p in main.commands["boot"].params for name in p.opts}
    for option in options:
        assert option.help and len(option.help.split()) >= 3, option.opts


def test_serve_and_boot_take_the_lifecycle_as_a_choice() -> None:
    for command, choices in (("boot", "install|reload|custom-install|package|ddl"),
                             ("serve", "install|reload|custom-install|package")):
        help_text = CliRunner().invoke(main, [command, "--help"], terminal_width=200).output
        assert f"--lifecycle [{choices}]" in help_text
        assert "reload: check the database matches the code" in one_line(help_text)
    refused = CliRunner().invoke(main, ["serve", "--lifecycle", "ddl"])
    assert refused.exit_code == 2 and "'ddl' is not one of" in refused.output
