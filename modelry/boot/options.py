"""Boot options: lifecycle → (install, upgrade, profile) → options, then overrides.

Follows Oinone's table. Precedence: lifecycle defaults < config file (`boot:` section)
< command line. `-Pkey=value` arguments use Oinone's spellings (`-Plifecycle=RELOAD`,
`-PbuildTable=EXTEND`).
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from modelry.errors import ConfigError

LIFECYCLES = {  # lifecycle → (install, upgrade, profile)
    "RELOAD": ("READONLY", "READONLY", "READONLY"),
    "INSTALL": ("AUTO", "FORCE", "AUTO"),
    "CUSTOM_INSTALL": ("AUTO", "FORCE", "CUSTOMIZE"),
    "PACKAGE": ("AUTO", "FORCE", "PACKAGE"),
    "DDL": ("AUTO", "FORCE", "DDL"),
}
SWITCHES = ("reload_module", "check_module", "load_meta", "reload_meta", "compute_meta",
            "diff_meta", "rebuild_http_api", "diff_table", "rebuild_table", "print_ddl",
            "update_module", "update_meta", "update_data")
_AUTO = {name: name != "print_ddl" for name in SWITCHES}
PROFILES: dict[str, dict[str, bool]] = {
    "AUTO": _AUTO,
    "CUSTOMIZE": _AUTO,  # then the config file's `boot.options` apply
    "READONLY": {name: name in ("reload_module", "check_module", "reload_meta",
                                "rebuild_http_api") for name in SWITCHES},
    "PACKAGE": {**_AUTO, "rebuild_http_api": False},
    "DDL": {name: name in ("reload_module", "check_module", "load_meta", "reload_meta",
                           "compute_meta", "diff_meta", "diff_table", "print_ddl")
            for name in SWITCHES},
}
CHOICES = {"build_table": ("NEVER", "EXTEND", "DIFF"),
           "module_online": ("NEVER", "READ", "CHECK"),
           "meta_online": ("NEVER", "MODULE", "ALL"),
           "install": ("AUTO", "READONLY"), "upgrade": ("AUTO", "FORCE", "READONLY"),
           "profile": tuple(PROFILES), "fingerprint_mismatch": ("REFUSE", "WARN")}


@dataclass
class BootOptions:
    """Every decision a boot takes, resolved from lifecycle, config and command line."""

    lifecycle: str = "INSTALL"
    install: str = "AUTO"
    upgrade: str = "FORCE"
    profile: str = "AUTO"
    reload_module: bool = True
    check_module: bool = True
    load_meta: bool = True
    reload_meta: bool = True
    compute_meta: bool = True
    diff_meta: bool = True
    rebuild_http_api: bool = True
    diff_table: bool = True
    rebuild_table: bool = True
    print_ddl: bool = False
    update_module: bool = True
    update_meta: bool = True
    update_data: bool = True
    build_table: str = "DIFF"
    allow_destructive: bool = False
    check_field: bool = False
    fingerprint_mismatch: str = "REFUSE"
    lock_timeout: float = 60.0
    output: str | None = None
    print_data: bool = True  # DDL prints the data files' rows; `init_data: false` leaves them out

    @property
    def writes(self) -> bool:
        """True when this boot may change the database."""
        return not self.print_ddl and (self.rebuild_table or self.update_module
                                       or self.update_meta or self.update_data)

    def to_json(self) -> str:
        """The options as one JSON line (logged at start)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _key(name: str) -> str:
    """`buildTable`, `build-table`, `BUILD_TABLE` → `build_table`."""
    return _CAMEL.sub("_", name.replace("-", "_")).lower().replace("__", "_")


def parse_p_arguments(arguments: Iterable[str]) -> dict[str, str]:
    """`["lifecycle=RELOAD", "buildTable=EXTEND"]` (from `-P...`) → {lifecycle: RELOAD, ...}."""
    parsed = {}
    for argument in arguments:
        name, equals, value = argument.removeprefix("-P").partition("=")
        if not equals or not name:
            raise ConfigError(f"-P argument {argument!r} must look like -Pname=value")
        parsed[_key(name)] = value
    return parsed


def resolve_options(lifecycle: str | None = None, config: Mapping[str, Any] | None = None,
                    overrides: Mapping[str, Any] | None = None) -> BootOptions:
    """Lifecycle defaults, then the config's `boot` section, then `overrides` (non-None)."""
    layers = [{_key(k): v for k, v in (config or {}).items()},
              {_key(k): v for k, v in (overrides or {}).items() if v is not None}]
    chosen = lifecycle
    for layer in layers:
        chosen = layer.get("lifecycle", chosen)
    name = str(chosen or "INSTALL").upper().replace("-", "_")
    if name not in LIFECYCLES:
        raise ConfigError(f"unknown lifecycle {chosen!r}: expected one of "
                          f"{', '.join(LIFECYCLES)}")
    install, upgrade, profile = LIFECYCLES[name]
    options = BootOptions(lifecycle=name, install=install, upgrade=upgrade, profile=profile,
                          **PROFILES[profile])
    if profile == "DDL":
        options.print_ddl = True
    custom = layers[0].pop("options", {}) if profile == "CUSTOMIZE" else {}
    for layer in [{_key(k): v for k, v in (custom or {}).items()}, *layers]:
        _apply(options, layer)
    return options


def _apply(options: BootOptions, layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if key in ("lifecycle", "options"):
            continue
        if key in CHOICES:
            _choice(options, key, value)
        elif key in SWITCHES or key in ("allow_destructive", "check_field"):
            setattr(options, key, _boolean(key, value))
            if key == "update_data":
                options.print_data = options.update_data
        elif key in ("open_api", "init_data"):
            setattr(options, "rebuild_http_api" if key == "open_api" else "update_data",
                    _boolean(key, value))
            if key == "init_data":
                options.print_data = options.update_data
        elif key == "lock_timeout":
            options.lock_timeout = _seconds(key, value)
        elif key == "output":
            options.output = value
        else:
            raise ConfigError(f"unknown boot option {key!r}")


def _choice(options: BootOptions, key: str, value: Any) -> None:
    text = str(value).upper()
    if text not in CHOICES[key]:
        raise ConfigError(f"boot option {key} must be one of {', '.join(CHOICES[key])}, "
                          f"got {value!r}")
    setattr(options, key, text)
    if key == "build_table":  # an explicit choice switches table building on or off
        options.diff_table = text != "NEVER"
        options.rebuild_table = text != "NEVER" and not options.print_ddl
    elif key == "module_online":
        options.reload_module = text != "NEVER"
        options.check_module = text == "CHECK"
    elif key == "meta_online":
        options.reload_meta = text != "NEVER"


def _seconds(key: str, value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if seconds < 0 or isinstance(value, bool):
        raise ConfigError(f"boot option {key} must be a number of seconds (0 or more), "
                          f"got {value!r}")
    return seconds


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"boot option {key} must be true or false, got {value!r}")
