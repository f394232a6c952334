"""Boot options: Oinone's lifecycle table, the overrides, and where each setting comes from."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelry import Module
from modelry.boot import boot
from modelry.boot.options import BootOptions, parse_p_arguments, resolve_options
from modelry.errors import ConfigError

SWITCHES = ("reload_module", "check_module", "load_meta", "reload_meta", "compute_meta",
            "diff_meta", "rebuild_http_api", "diff_table", "rebuild_table", "print_ddl",
            "update_module", "update_meta", "update_data")
EVERYTHING_BUT_PRINTING = {name: name != "print_ddl" for name in SWITCHES}


def only(*names: str) -> dict[str, bool]:
    """Every switch off except `names`."""
    return {name: name in names for name in SWITCHES}


# Oinone's table, written out by hand (REFERENCE.md): lifecycle → (install, upgrade,
# profile) and the profile's switches.
TABLE = {
    "RELOAD": (("READONLY", "READONLY", "READONLY"),
               only("reload_module", "check_module", "reload_meta", "rebuild_http_api")),
    "INSTALL": (("AUTO", "FORCE", "AUTO"), EVERYTHING_BUT_PRINTING),
    "CUSTOM_INSTALL": (("AUTO", "FORCE", "CUSTOMIZE"), EVERYTHING_BUT_PRINTING),
    "PACKAGE": (("AUTO", "FORCE", "PACKAGE"),
                {**EVERYTHING_BUT_PRINTING, "rebuild_http_api": False}),
    "DDL": (("AUTO", "FORCE", "DDL"),
            only("reload_module", "check_module", "load_meta", "reload_meta", "compute_meta",
                 "diff_meta", "diff_table", "print_ddl")),
}


def switches(options: BootOptions) -> dict[str, bool]:
    """The thirteen switches of `options`."""
    return {name: getattr(options, name) for name in SWITCHES}


@pytest.mark.parametrize("lifecycle", sorted(TABLE))
def test_each_lifecycle_resolves_to_oinones_row(lifecycle: str) -> None:
    (install, upgrade, profile), expected = TABLE[lifecycle]
    options = resolve_options(lifecycle)
    assert (options.lifecycle, options.install, options.upgrade, options.profile) == (
        lifecycle, install, upgrade, profile)
    assert switches(options) == expected
    assert options.build_table == "DIFF"
    assert (options.allow_destructive, options.check_field) == (False, False)
    assert options.fingerprint_mismatch == "REFUSE"


@pytest.mark.parametrize("lifecycle", sorted(TABLE))
def test_only_the_writing_lifecycles_may_change_the_database(lifecycle: str) -> None:
    assert resolve_options(lifecycle).writes is (lifecycle in (
        "INSTALL", "CUSTOM_INSTALL", "PACKAGE"))


@pytest.mark.parametrize("spelling", ["reload", "Reload", "RELOAD"])
def test_lifecycle_names_are_case_insensitive(spelling: str) -> None:
    assert resolve_options(spelling).lifecycle == "RELOAD"


def test_the_command_lines_custom_install_spelling() -> None:
    assert resolve_options("custom-install").profile == "CUSTOMIZE"


def test_no_lifecycle_means_install() -> None:
    assert resolve_options().lifecycle == "INSTALL"


@pytest.mark.parametrize(("mode", "diff_table", "rebuild_table"), [
    ("NEVER", False, False), ("EXTEND", True, True), ("DIFF", True, True),
    ("extend", True, True)])
def test_build_table_switches_table_building(mode: str, diff_table: bool,
                                             rebuild_table: bool) -> None:
    options = resolve_options("INSTALL", overrides={"build_table": mode})
    assert options.build_table == mode.upper()
    assert (options.diff_table, options.rebuild_table) == (diff_table, rebuild_table)


def test_build_table_never_executes_in_ddl_mode() -> None:
    options = resolve_options("DDL", overrides={"build_table": "EXTEND"})
    assert (options.build_table, options.diff_table, options.rebuild_table,
            options.print_ddl) == ("EXTEND", True, False, True)
    assert not options.writes


def test_build_table_turns_diffing_on_for_reload() -> None:
    options = resolve_options("RELOAD", overrides={"build_table": "DIFF"})
    assert (options.diff_table, options.rebuild_table) == (True, True)


@pytest.mark.parametrize(("mode", "reload_module", "check_module"), [
    ("NEVER", False, False), ("READ", True, False), ("CHECK", True, True)])
def test_module_online(mode: str, reload_module: bool, check_module: bool) -> None:
    options = resolve_options("INSTALL", overrides={"module_online": mode})
    assert (options.reload_module, options.check_module) == (reload_module, check_module)


@pytest.mark.parametrize(("mode", "reload_meta"), [
    ("NEVER", False), ("MODULE", True), ("ALL", True)])
def test_meta_online(mode: str, reload_meta: bool) -> None:
    options = resolve_options("RELOAD", overrides={"meta_online": mode})
    assert options.reload_meta is reload_meta


@pytest.mark.parametrize(("lifecycle", "value"), [("INSTALL", False), ("PACKAGE", True),
                                                  ("RELOAD", False)])
def test_open_api_decides_the_http_api(lifecycle: str, value: bool) -> None:
    options = resolve_options(lifecycle, overrides={"open_api": value})
    assert options.rebuild_http_api is value
    other = {k: v for k, v in switches(options).items() if k != "rebuild_http_api"}
    assert other == {k: v for k, v in TABLE[lifecycle][1].items() if k != "rebuild_http_api"}


@pytest.mark.parametrize("value", [False, "false", "no", "0", "off"])
def test_init_data_off_loads_no_data(value: object) -> None:
    options = resolve_options("INSTALL", overrides={"init_data": value})
    assert options.update_data is False
    assert options.update_meta is True


@pytest.mark.parametrize("value", [True, "true", "yes", "1", "on"])
def test_check_field_on(value: object) -> None:
    assert resolve_options("RELOAD", overrides={"check_field": value}).check_field is True


def test_none_overrides_are_ignored() -> None:
    """The command line passes None for every option not given."""
    options = resolve_options("INSTALL", {"build_table": "EXTEND"},
                              {"build_table": None, "open_api": None})
    assert options.build_table == "EXTEND"
    assert options.rebuild_http_api is True


def test_command_line_beats_config_beats_defaults() -> None:
    config = {"build_table": "EXTEND", "init_data": False, "lock_timeout": 5}
    options = resolve_options("INSTALL", config, {"build_table": "NEVER"})
    assert options.build_table == "NEVER"                  # command line
    assert options.update_data is False                    # config file
    assert options.lock_timeout == 5.0                     # config file
    assert options.rebuild_http_api is True                # default
    assert options.check_field is False                    # default


def test_a_lifecycle_in_the_boot_section_or_on_the_command_line_wins() -> None:
    assert resolve_options("INSTALL", {"lifecycle": "DDL"}).lifecycle == "DDL"
    assert resolve_options("INSTALL", {"lifecycle": "DDL"},
                           {"lifecycle": "RELOAD"}).lifecycle == "RELOAD"


def test_custom_install_takes_the_options_of_the_config_file() -> None:
    config = {"options": {"rebuild_http_api": False, "updateData": "false",
                          "check_module": False}}
    options = resolve_options("CUSTOM_INSTALL", config)
    assert switches(options) == {**EVERYTHING_BUT_PRINTING, "rebuild_http_api": False,
                                 "update_data": False, "check_module": False}


def test_custom_install_options_still_yield_to_the_command_line() -> None:
    options = resolve_options("CUSTOM_INSTALL", {"options": {"update_data": False}},
                              {"init_data": True})
    assert options.update_data is True


def test_p_arguments_use_oinones_spellings() -> None:
    parsed = parse_p_arguments(["-Plifecycle=RELOAD", "-PbuildTable=EXTEND",
                                "checkField=true", "-PmoduleOnline=READ"])
    assert parsed == {"lifecycle": "RELOAD", "build_table": "EXTEND", "check_field": "true",
                      "module_online": "READ"}
    options = resolve_options(None, None, parsed)
    assert (options.lifecycle, options.build_table, options.check_field,
            options.check_module) == ("RELOAD", "EXTEND", True, False)


@pytest.mark.parametrize("argument", ["-Plifecycle", "-P=RELOAD", "buildTable"])
def test_a_malformed_p_argument_is_refused_by_name(argument: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_p_arguments([argument])
    assert argument in raised.value.message
    assert raised.value.code == "CONFIG_ERROR"


@pytest.mark.parametrize(("lifecycle", "overrides", "named"), [
    ("SOMETIMES", {}, "lifecycle"),
    ("INSTALL", {"build_table": "ALWAYS"}, "build_table"),
    ("INSTALL", {"buildTable": "ALWAYS"}, "build_table"),
    ("INSTALL", {"module_online": "WRITE"}, "module_online"),
    ("INSTALL", {"meta_online": "SOME"}, "meta_online"),
    ("INSTALL", {"fingerprint_mismatch": "IGNORE"}, "fingerprint_mismatch"),
    ("INSTALL", {"open_api": "maybe"}, "open_api"),
    ("INSTALL", {"init_data": "perhaps"}, "init_data"),
    ("INSTALL", {"check_field": 2}, "check_field"),
    ("INSTALL", {"allow_destructive": "sure"}, "allow_destructive"),
    ("INSTALL", {"lock_timeout": "soon"}, "lock_timeout"),
    ("INSTALL", {"lock_timeout": -1}, "lock_timeout"),
    ("INSTALL", {"bild_table": "DIFF"}, "bild_table"),
])
def test_a_bad_value_is_a_config_error_naming_the_option(lifecycle: str, overrides: dict,
                                                         named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_options(lifecycle, overrides=overrides)
    assert named in raised.value.message
    assert raised.value.code == "CONFIG_ERROR"


def test_the_options_are_one_json_line() -> None:
    line = resolve_options("DDL", overrides={"build_table": "EXTEND"}).to_json()
    assert "\n" not in line
    assert json.loads(line)["lifecycle"] == "DDL"
    assert json.loads(line)["build_table"] == "EXTEND"
    assert json.loads(line)["print_ddl"] is True


# ── the same through boot() and a modelry.yaml ─────────────────────────────

MODULE = Module("bt_opts", version="1.0.0", depends=["base"])


def write_config(tmp_path: Path, text: str) -> Path:
    """A modelry.yaml on a private SQLite database."""
    path = tmp_path / "modelry.yaml"
    path.write_text(f"database: sqlite:///{tmp_path / 'options.db'}\n" + text)
    return path


def test_boot_reads_the_config_file_and_the_command_line_wins(tmp_path: Path) -> None:
    config = write_config(tmp_path, "lifecycle: ddl\n"
                                    "boot:\n  build_table: extend\n  init_data: false\n")
    with boot(modules=[MODULE], config=str(config), options={"build_table": "never"}) as app:
        assert app.options.lifecycle == "DDL"               # config file
        assert app.options.build_table == "NEVER"           # command line beats config
        assert app.options.update_data is False             # config beats defaults
        assert app.options.check_field is False             # defaults
        assert app.report.ddl is not None


def test_a_lifecycle_argument_beats_the_config_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, "lifecycle: install\n")
    with boot(modules=[MODULE], config=str(config), lifecycle="ddl") as app:
        assert app.options.lifecycle == "DDL"
        assert app.report.ddl is not None


def test_modelry_yaml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    write_config(tmp_path, "lifecycle: ddl\nboot:\n  allow_destructive: true\n")
    with boot(modules=[MODULE]) as app:  # the autouse fixture made tmp_path the cwd
        assert (app.options.lifecycle, app.options.allow_destructive) == ("DDL", True)


def test_custom_install_from_the_config_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, "lifecycle: custom_install\nboot:\n  options:\n"
                                    "    rebuild_http_api: false\n    update_data: false\n")
    with boot(modules=[MODULE], config=str(config)) as app:
        assert app.options.profile == "CUSTOMIZE"
        assert switches(app.options) == {**EVERYTHING_BUT_PRINTING,
                                         "rebuild_http_api": False, "update_data": False}
        assert app.report.installed == ["base", "bt_opts"]


def test_a_bad_value_in_the_config_file_names_the_option(tmp_path: Path) -> None:
    config = write_config(tmp_path, "boot:\n  meta_online: everything\n")
    with pytest.raises(ConfigError, match="meta_online"):
        boot(modules=[MODULE], config=str(config))
