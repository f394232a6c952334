"""Modules: declaration checks, discovery, dependency order, and the registry fingerprint."""
from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import modelry.modules.base
import modelry.modules.demo
from modelry import Model, ModuleError, fields
from modelry.config import load_settings
from modelry.core.module import Module
from modelry.core.registry import build_registry
from modelry.core.registry import discovery
from modelry.core.registry.discovery import load, order, resolve

FINGERPRINT_SCRIPT = ("from modelry.core.registry import build_registry; "
                      "from modelry.core.registry.discovery import resolve; "
                      "print(build_registry(resolve(['demo'])).fingerprint())")


def codes(modules: list[Module]) -> list[str]:
    """Module codes, in order."""
    return [module.name for module in modules]


@pytest.fixture
def make_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """Write an importable package `name` (dotted: nested) whose __init__ holds `source`."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(name: str, source: str) -> None:
        folder = tmp_path.joinpath(*name.split("."))
        for depth in range(1, len(name.split(".")) + 1):
            init = tmp_path.joinpath(*name.split(".")[:depth], "__init__.py")
            init.parent.mkdir(parents=True, exist_ok=True)
            init.touch()
        (folder / "__init__.py").write_text(textwrap.dedent(source))
        for depth in range(1, len(name.split(".")) + 1):  # imported fresh by this test
            monkeypatch.delitem(sys.modules, ".".join(name.split(".")[:depth]), raising=False)

    return make


# ── Module(...) ──────────────────────────────────────────────────────────────
def test_module_defaults() -> None:
    module = Module("modtest_plain")
    assert (module.name, module.version, module.depends, module.data) == (
        "modtest_plain", "1.0.0", [], [])
    assert module.display_name == "modtest_plain"
    assert module.package == __name__  # the package that created it owns it


def test_module_keeps_its_arguments() -> None:
    depends = ["base"]
    module = Module("modtest_full", version="2.1.0", depends=depends, display_name="Full",
                    data=["data/a.yaml"], package="somewhere.full")
    depends.append("demo")
    assert (module.version, module.depends, module.display_name, module.data) == (
        "2.1.0", ["base"], "Full", ["data/a.yaml"])
    assert module.owns_python_module("somewhere.full.models")
    assert not module.owns_python_module("somewhere.fuller")


def test_versions_compare_as_numbers() -> None:
    assert Module("modtest_v", version="1.10.0").version_tuple() == (1, 10, 0)
    assert (Module("modtest_v", version="1.10.0").version_tuple()
            > Module("modtest_v", version="1.9.9").version_tuple())


@pytest.mark.parametrize("code", ["PetStore", "pet-store", "1shop", "", "pet store", "_x", 42])
def test_module_code_must_be_snake_case(code: object) -> None:
    with pytest.raises(ModuleError) as refused:
        Module(code)  # type: ignore[arg-type]
    assert repr(code) in str(refused.value)
    assert "snake_case" in str(refused.value)


def test_depends_must_be_a_list_not_a_string() -> None:
    with pytest.raises(ModuleError, match="modtest_str: depends must be a list"):
        Module("modtest_str", depends="base")


# ── discovery ────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("code", ["base", "demo", "account", "billing", "order"])
def test_built_in_modules_are_registered_entry_points(code: str) -> None:
    points = importlib.metadata.entry_points(group="modelry.modules", name=code)
    assert [point.value for point in points] == [f"modelry.modules.{code}"]


def test_load_by_entry_point() -> None:
    assert load("base") is modelry.modules.base.module
    demo = load("demo")
    assert demo is modelry.modules.demo.module
    assert (demo.name, demo.depends) == ("demo", ["base"])


def test_load_by_an_entry_point_naming_the_module_object(
        make_package: Callable[[str, str], None], monkeypatch: pytest.MonkeyPatch) -> None:
    make_package("modtest_ep_pkg", """
        from modelry import Module
        first = Module("modtest_ep", depends=["base"])
        second = Module("modtest_ep_other")
    """)
    point = importlib.metadata.EntryPoint(
        name="modtest_ep", value="modtest_ep_pkg:first", group="modelry.modules")
    monkeypatch.setattr(discovery, "entry_points",
                        lambda group, name: [point] if name == point.name else [])
    found = load("modtest_ep")
    assert (found.name, found.package) == ("modtest_ep", "modtest_ep_pkg")


def test_load_by_built_in_code_without_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery, "entry_points", lambda group, name: [])
    assert load("demo") is modelry.modules.demo.module
    assert load("modelry.modules.demo") is modelry.modules.demo.module


def test_load_by_import_path(make_package: Callable[[str, str], None]) -> None:
    make_package("modtest_pkg", """
        from modelry import Module
        module = Module("modtest_pkg", depends=["demo"])
    """)
    found = load("modtest_pkg")
    assert (found.name, found.depends, found.package) == ("modtest_pkg", ["demo"], "modtest_pkg")


def test_load_by_dotted_import_path_finds_the_only_module_object(
        make_package: Callable[[str, str], None]) -> None:
    make_package("modtest_outer.shop", """
        from modelry import Module
        shop_module = Module("modtest_shop")
    """)
    found = load("modtest_outer.shop")
    assert (found.name, found.package) == ("modtest_shop", "modtest_outer.shop")


def test_modules_listed_in_the_config_file_are_found(
        make_package: Callable[[str, str], None], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_package("modtest_cfg", """
        from modelry import Module
        module = Module("modtest_cfg", depends=["demo"])
    """)
    monkeypatch.delenv("MODELRY_MODULES", raising=False)
    monkeypatch.delenv("MODELRY_CONFIG", raising=False)
    config = tmp_path / "modelry.yaml"
    config.write_text("database: sqlite://\nmodules:\n  - modtest_cfg\n")
    settings = load_settings(config)
    assert settings.modules == ["modtest_cfg"]
    assert codes(resolve(settings.modules)) == ["base", "demo", "modtest_cfg"]


def test_modules_listed_in_the_environment_are_found(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("MODELRY_MODULES", " demo , ")
    monkeypatch.delenv("MODELRY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no modelry.yaml here
    settings = load_settings()
    assert settings.modules == ["demo"]
    assert codes(resolve(settings.modules)) == ["base", "demo"]


def test_unknown_module_name_is_an_error() -> None:
    with pytest.raises(ModuleError) as refused:
        load("modtest_nowhere")
    assert "'modtest_nowhere' not found" in str(refused.value)
    assert refused.value.module == "modtest_nowhere"


def test_a_broken_package_reports_its_own_import_error(
        make_package: Callable[[str, str], None]) -> None:
    make_package("modtest_broken", "import modtest_missing_library_xyz\n")
    with pytest.raises(ModuleNotFoundError) as failure:
        load("modtest_broken")
    assert failure.value.name == "modtest_missing_library_xyz"


@pytest.mark.parametrize(("source", "count"), [
    ("X = 1\n", 0),
    ("from modelry import Module\na = Module('modtest_two_a')\nb = Module('modtest_two_b')\n", 2),
])
def test_a_package_needs_exactly_one_module_object(
        make_package: Callable[[str, str], None], source: str, count: int) -> None:
    make_package(f"modtest_count{count}", source)
    with pytest.raises(ModuleError, match=f"modtest_count{count}: expected one modelry Module "
                                          f"in the package, found {count}"):
        load(f"modtest_count{count}")


# ── dependency order ─────────────────────────────────────────────────────────
def test_base_is_always_loaded_first() -> None:
    assert codes(resolve([])) == ["base"]
    assert codes(resolve(["demo"])) == ["base", "demo"]
    assert codes(resolve(["demo", "base"])) == ["base", "demo"]


def test_dependencies_come_before_dependents() -> None:
    a = Module("modtest_a", depends=["base"])
    b = Module("modtest_b", depends=["modtest_a"])
    c = Module("modtest_c", depends=["modtest_b", "demo"])
    z = Module("modtest_z")
    resolved = codes(resolve([c, z, b, a]))
    assert resolved[0] == "base"
    assert sorted(resolved) == ["base", "demo", "modtest_a", "modtest_b", "modtest_c",
                                "modtest_z"]
    for module in (a, b, c, z):
        for dependency in module.depends:
            assert resolved.index(dependency) < resolved.index(module.name), resolved
    assert resolved == codes(resolve([a, b, z, c]))  # the order asked for does not matter


def test_a_dependency_given_as_an_object_satisfies_a_dependency_by_code() -> None:
    a = Module("modtest_dep_a")
    b = Module("modtest_dep_b", depends=["modtest_dep_a"])
    resolved = resolve([b, a])
    assert resolved[1] is a and resolved[2] is b


def test_missing_dependency_names_both_modules() -> None:
    needy = Module("modtest_needy", depends=["base", "modtest_absent"])
    with pytest.raises(ModuleError) as refused:
        resolve([needy])
    assert str(refused.value) == "module 'modtest_needy' depends on 'modtest_absent', which is " \
                                 "not found"
    assert refused.value.module == "modtest_needy"


def test_ordering_modules_without_their_dependency_names_both() -> None:
    with pytest.raises(ModuleError, match="'modtest_lone' depends on 'modtest_gone'"):
        order([Module("modtest_lone", depends=["modtest_gone"])])


def test_a_cycle_is_named() -> None:
    x = Module("modtest_x", depends=["modtest_y"])
    y = Module("modtest_y", depends=["modtest_w"])
    w = Module("modtest_w", depends=["modtest_x"])
    tail = Module("modtest_tail", depends=["modtest_x"])
    with pytest.raises(ModuleError) as refused:
        resolve([tail, x, y, w])
    message = str(refused.value)
    assert message.startswith("dependency cycle between modules: ")
    cycle = message.split(": ", 1)[1].split(" → ")
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["modtest_w", "modtest_x", "modtest_y"]
    assert "modtest_tail" not in message


def test_a_module_depending_on_itself_is_a_cycle() -> None:
    with pytest.raises(ModuleError, match="cycle between modules: modtest_self → modtest_self"):
        resolve([Module("modtest_self", depends=["modtest_self"])])


def test_two_module_objects_with_one_code_are_an_error() -> None:
    one = Module("modtest_dup", package="pkg_one")
    two = Module("modtest_dup", package="pkg_two")
    with pytest.raises(ModuleError) as refused:
        resolve([one, two])
    message = str(refused.value)
    assert "'modtest_dup'" in message and "'pkg_one'" in message and "'pkg_two'" in message


def test_a_module_object_reusing_a_built_in_code_is_an_error() -> None:
    with pytest.raises(ModuleError, match="two modules have the code 'demo'"):
        resolve(["demo", Module("demo", package="not_the_demo")])


def test_the_same_module_object_twice_is_loaded_once() -> None:
    one = Module("modtest_once")
    assert codes(resolve([one, one, "base"])) == ["base", "modtest_once"]


# ── registry fingerprint ─────────────────────────────────────────────────────
fingerprinted = Module("modtest_fp", depends=["base"])


def declare_gauge(*, unit: bool = False, size: int = 20, help: str | None = None) -> None:
    """(Re)declare modtest_fp.Gauge: the same class path, so each call replaces the last."""
    body = {"label": fields.String(size=size, help=help)}
    if unit:
        body["unit"] = fields.String(size=8)
    type("Gauge", (Model,), {"__qualname__": "Gauge", **body}, model="modtest_fp.Gauge")


def fingerprint() -> str:
    """The fingerprint of base + modtest_fp."""
    return build_registry(resolve([fingerprinted])).fingerprint()


def test_fingerprint_is_stable_across_builds() -> None:
    declare_gauge()
    first = fingerprint()
    assert len(first) == 64 and int(first, 16) >= 0
    assert fingerprint() == first


def test_fingerprint_changes_when_a_field_is_added_and_returns_when_removed() -> None:
    declare_gauge()
    before = fingerprint()
    declare_gauge(unit=True)
    with_unit = fingerprint()
    declare_gauge()
    assert with_unit != before
    assert fingerprint() == before


def test_fingerprint_changes_with_a_column_size_not_with_help_text() -> None:
    declare_gauge()
    before = fingerprint()
    declare_gauge(size=21)
    resized = fingerprint()
    declare_gauge(help="what the gauge shows")
    helped = fingerprint()
    declare_gauge()
    assert resized != before
    assert helped == before


def test_fingerprint_is_the_same_in_another_process() -> None:
    here = build_registry(resolve(["demo"])).fingerprint()
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run([sys.executable, "-c", FINGERPRINT_SCRIPT], env=environment,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert there == here
