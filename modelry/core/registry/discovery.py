"""Find modules by name (entry points, import paths) and put them in dependency order."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

from modelry.core.module import Module
from modelry.errors import ModuleError

ENTRY_POINT_GROUP = "modelry.modules"
BUILTIN_PACKAGE = "modelry.modules"


def _module_in(package: ModuleType, path: str) -> Module:
    found = getattr(package, "module", None)
    if isinstance(found, Module):
        return found
    candidates = [value for value in vars(package).values() if isinstance(value, Module)]
    if len(candidates) != 1:
        raise ModuleError(f"{path}: expected one modelry Module in the package, "
                          f"found {len(candidates)}", module=path)
    return candidates[0]


def load(name: str) -> Module:
    """The Module named by an entry point, an import path or a built-in module code."""
    for point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        loaded = point.load()
        return loaded if isinstance(loaded, Module) else _module_in(loaded, point.value)
    for path in (name, f"{BUILTIN_PACKAGE}.{name}"):
        try:
            package = importlib.import_module(path)
        except ModuleNotFoundError as error:
            if error.name and (path == error.name or path.startswith(error.name + ".")):
                continue
            raise
        return _module_in(package, path)
    raise ModuleError(f"module {name!r} not found: no entry point in {ENTRY_POINT_GROUP!r}, "
                      f"and no importable package {name!r}", module=name)


def resolve(requested: Iterable[str | Module]) -> list[Module]:
    """The requested modules and their dependencies, `base` first, in dependency order."""
    by_code: dict[str, Module] = {}
    pending: list[tuple[str | Module, str | None]] = [("base", None)]
    pending += [(item, None) for item in requested]
    while pending:
        item, wanted_by = pending.pop(0)
        if isinstance(item, str) and item in by_code:
            continue
        module = item if isinstance(item, Module) else _load_dependency(item, wanted_by)
        known = by_code.get(module.name)
        if known is not None and known is not module:
            raise ModuleError(f"two modules have the code {module.name!r}: packages "
                              f"{known.package!r} and {module.package!r}", module=module.name)
        if known is None:
            by_code[module.name] = module
            pending += [(dependency, module.name) for dependency in module.depends]
    return order(by_code.values())


def _load_dependency(name: str, wanted_by: str | None) -> Module:
    try:
        return load(name)
    except ModuleError:
        if wanted_by is None:
            raise
        raise ModuleError(f"module {wanted_by!r} depends on {name!r}, which is not found",
                          module=wanted_by) from None


def order(modules: Iterable[Module]) -> list[Module]:
    """Topological order (dependencies first, then by code), `base` first."""
    by_code = {module.name: module for module in modules}
    for module in by_code.values():
        for dependency in module.depends:
            if dependency not in by_code:
                raise ModuleError(f"module {module.name!r} depends on {dependency!r}, "
                                  f"which is not loaded", module=module.name)
    ordered: list[Module] = []
    placed: set[str] = set()
    remaining = sorted(by_code, key=lambda code: (code != "base", code))
    while remaining:
        ready = [code for code in remaining
                 if all(dep in placed for dep in by_code[code].depends)]
        if not ready:
            raise ModuleError(f"dependency cycle between modules: {_cycle(by_code, remaining)}",
                              module=remaining[0])
        for code in ready:
            ordered.append(by_code[code])
            placed.add(code)
        remaining = [code for code in remaining if code not in placed]
    return ordered


def _cycle(by_code: dict[str, Module], remaining: list[str]) -> str:
    path, code = [], remaining[0]
    while code not in path:
        path.append(code)
        code = next(dep for dep in by_code[code].depends if dep in remaining)
    return " → ".join(path[path.index(code):] + [code])
