"""`modelry boot` in a child process: exit codes 0 / 3 / 1, a first line naming the lifecycle
and the database, the summary, the DDL script on stdout or in a file, and (with --verbose)
the options logged as one JSON line on stderr."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.boot.helpers import catalog, finish, run_cli, start_cli, statements

V1, V2 = "tests.boot.shop_v1", "tests.boot.shop_v2"


def logged_options(stderr: str) -> dict[str, Any]:
    """The one JSON line of options on stderr."""
    lines = [line for line in stderr.splitlines() if line.startswith("{")]
    assert len(lines) == 1, stderr
    return json.loads(lines[0])


def one_line(text: str) -> str:
    """`text` with every run of whitespace made one space (the console may wrap)."""
    return re.sub(r"\s+", " ", text)


def timeless(lines: list[str]) -> list[str]:
    """`lines` with the timestamps (which differ between two runs) blanked out."""
    return [re.sub(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?'", "'T'", line)
            for line in lines]


def no_json_line(stderr: str) -> bool:
    """No log line dumps the options (that takes --verbose)."""
    return not any(line.startswith("{") for line in stderr.splitlines())


def test_boot_command_end_to_end(empty_database: str, tmp_path: Path) -> None:
    url = empty_database
    installed = run_cli("boot", "--lifecycle", "install", "--database", url, "--module", V1,
                        "--verbose")
    assert installed.returncode == 0, installed.stderr
    assert "INSTALL: modules installed 2, upgraded 0, reloaded 0; tables created" \
        in one_line(installed.stderr)
    assert installed.stdout == ""
    options = logged_options(installed.stderr)
    assert (options["lifecycle"], options["print_ddl"], options["build_table"]) == (
        "INSTALL", False, "DIFF")

    # Read-only or refused runs, side by side; none of them changes the database.
    before = catalog(url)
    script_file = tmp_path / "upgrade.sql"
    runs = {
        "ddl": start_cli("boot", "-Plifecycle=DDL", "--database", url, "--module", V2),
        "output": start_cli("boot", "--lifecycle", "ddl", "--output", str(script_file),
                            "--database", url, "--module", V2),
        "destructive": start_cli("boot", "--lifecycle", "install", "--database", url,
                                 "--module", V2),
    }
    done = {name: finish(process) for name, process in runs.items()}
    assert catalog(url) == before

    ddl = done["ddl"]
    assert ddl.returncode == 0, ddl.stderr
    assert ddl.stdout.startswith("-- modelry DDL script for ")
    assert "-- modules: base 1.0.0, boot_shop 1.1.0" in ddl.stdout
    assert "-- drop column boot_shop_shop.note: its data is lost" in ddl.stdout
    assert any("rating" in line for line in statements(ddl.stdout))
    assert no_json_line(ddl.stderr)
    assert "DDL: the script installs 0 module(s) and upgrades 2" in one_line(ddl.stderr)

    output = done["output"]
    assert output.returncode == 0, output.stderr
    assert output.stdout == ""
    written = script_file.read_text()
    assert written.startswith("-- modelry DDL script for ")
    assert timeless(statements(written)) == timeless(statements(ddl.stdout))

    destructive = done["destructive"]
    assert destructive.returncode == 3, destructive.stderr
    assert "refused (BOOT_REFUSED)" in destructive.stderr
    assert "drop column boot_shop_shop.note" in one_line(destructive.stderr)
    assert "--allow-destructive" in destructive.stderr


def test_boot_command_fails_with_exit_1(tmp_path: Path) -> None:
    runs = [start_cli("boot", "--database", "not a database url", "--module", V1, cwd=tmp_path),
            start_cli("boot", "--database", "postgresql://nobody@127.0.0.1:1/none",
                      "--module", V1, "--lifecycle", "install"),
            start_cli("boot", "--database", "sqlite://", "--module", V1,
                      "-PbuildTable=SOMETIMES")]
    malformed, unreachable, bad_option = (finish(process) for process in runs)
    assert malformed.returncode == 1, malformed.stderr
    assert "failed (CONFIG_ERROR)" in malformed.stderr
    assert "'not a database url' is not a valid URL" in one_line(malformed.stderr)
    assert unreachable.returncode == 1, unreachable.stderr
    assert "127.0.0.1" in unreachable.stderr and "refused" in unreachable.stderr.lower()
    assert bad_option.returncode == 1, bad_option.stderr
    assert "failed (CONFIG_ERROR)" in bad_option.stderr and "build_table" in bad_option.stderr
