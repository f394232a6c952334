"""Build the registry from the loaded modules and the declarations they own."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from modelry.core.fields import BigInteger, DateTime, Field, ManyToMany, ManyToOne, OneToMany
from modelry.core.module import Module
from modelry.core.naming import (
    MAX_IDENTIFIER, bounded, model_name, module_of, snake_case, table_name, technical_name)
from modelry.core.registry.behaviours import collect_behaviours
from modelry.core.registry.catalog import Declaration, declarations
from modelry.core.registry.functions import Behaviours
from modelry.core.registry.meta import ModelMeta
from modelry.errors import DeclarationError


class Registry:
    """Modules → models → fields: the one source of truth every layer reads."""

    def __init__(self, modules: list[Module], models: dict[str, ModelMeta],
                 behaviours: Behaviours | None = None) -> None:
        self.modules: dict[str, Module] = {module.name: module for module in modules}
        self.models = models
        self.behaviours = behaviours or Behaviours()
        self._by_class = {meta.cls: meta for meta in models.values()}
        for meta in models.values():
            meta.seal()

    def model(self, code_or_class: str | type) -> ModelMeta:
        """The model with this code (or declared by this class)."""
        found = self.find(code_or_class)
        if found is None:
            from modelry.errors import DataError
            raise DataError(f"unknown model {code_or_class!r}: not declared by a loaded module",
                            code="UNKNOWN_MODEL", model=str(code_or_class))
        return found

    def find(self, code_or_class: str | type) -> ModelMeta | None:
        """The model with this code or class, or None."""
        if isinstance(code_or_class, type):
            return self._by_class.get(code_or_class) or self.models.get(
                getattr(code_or_class, "_model_code", ""))
        return self.models.get(code_or_class)

    def models_of(self, module: str) -> list[ModelMeta]:
        """Models owned by `module`, in declaration order."""
        return [meta for meta in self.models.values() if meta.module == module]

    def stored_models(self) -> list[ModelMeta]:
        """Models with a table of their own (store kind), dependencies first."""
        return [meta for meta in self.models.values() if meta.kind == "store"]

    def describe(self) -> list[dict]:
        """Schema-relevant metadata of every model, sorted by code."""
        return [self.models[code].describe() for code in sorted(self.models)]

    def fingerprint(self) -> str:
        """A stable hash of the schema-relevant metadata."""
        text = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def build_registry(modules: Iterable[Module]) -> Registry:
    """Build the registry for `modules` (already in dependency order)."""
    modules = list(modules)
    known = {module.name: module for module in modules}
    owned = [d for d in declarations() if not d.is_extension and module_of(d.code) in known]
    extensions = [(d, _extension_owner(d, modules)) for d in declarations() if d.is_extension]
    models: dict[str, ModelMeta] = {}
    for module in modules:
        for declaration in [d for d in owned if module_of(d.code) == module.name]:
            if declaration.code in models:
                first = models[declaration.code].cls
                raise DeclarationError(
                    f"{module.name}: model {declaration.code} is declared twice: by "
                    f"{first.__module__}.{first.__qualname__} and {declaration.where}",
                    module=module.name, model=declaration.code)
            models[declaration.code] = _model(module.name, declaration)
    for module in modules:
        for declaration, owner in extensions:
            if owner == module.name:
                _extend(models, known, module, declaration)
    for meta in list(models.values()):
        _finish(models, meta)
    _check(models)
    return Registry(modules, models, collect_behaviours(modules, models))


def _extension_owner(declaration: Declaration, modules: list[Module]) -> str | None:
    if declaration.module_hint:
        return declaration.module_hint
    owners = [m.name for m in modules if m.owns_python_module(declaration.python_module)]
    return max(owners, key=len) if owners else None


def _model(module: str, declaration: Declaration) -> ModelMeta:
    code, kind = declaration.code, declaration.kind
    if kind == "store" and len(table_name(code)) > MAX_IDENTIFIER:
        raise DeclarationError(f"{module}: model {code}: table name {table_name(code)!r} is "
                               f"longer than {MAX_IDENTIFIER} characters; use a shorter model "
                               "name", module=module, model=code)
    meta = ModelMeta(code=code, module=module, kind=kind, cls=declaration.cls,
                     name=declaration.technical_name or technical_name(code),
                     table=table_name(code) if kind == "store" else None,
                     optimistic_lock=declaration.optimistic_lock,
                     display_name=declaration.display_name or model_name(code),
                     proxy_of=declaration.proxy_of, unique=list(declaration.unique),
                     indexes=list(declaration.indexes), archived=declaration.archived)
    if kind == "store":
        meta.fields["id"] = BigInteger(_system=True, readonly=True).bind(code, "id")
    for name, field in declaration.fields.items():
        meta.fields[name] = field.bind(code, name)
    return meta


def _extend(models: dict[str, ModelMeta], known: dict[str, Module], module: Module,
            declaration: Declaration) -> None:
    code = declaration.code
    target = models.get(code)
    if target is None:
        raise DeclarationError(f"{module.name}: {declaration.where} extends {code}, which "
                               "no loaded module declares", module=module.name, model=code)
    if target.module != module.name and target.module not in _closure(known, module.name):
        raise DeclarationError(f"{module.name}: extends {code} of module {target.module} "
                               f"without depending on {target.module}",
                               module=module.name, model=code)
    for name, field in declaration.fields.items():
        if name in target.fields:
            raise DeclarationError(f"{module.name}: model {code}, field {name!r} is already "
                                   f"declared by module {target.module}",
                                   module=module.name, model=code, field=name)
        target.fields[name] = field.bind(code, name)
    for name, member in extension_members(declaration.cls).items():
        if name in target.members or any(name in vars(k) for k in target.cls.__mro__):
            raise DeclarationError(
                f"{module.name}: model {code}: {declaration.where} defines {name!r}, which "
                f"the model already has; change its behaviour with an extension point "
                "(ext_point) instead", module=module.name, model=code)
        target.members[name] = member
    for names in declaration.unique:
        _check_unique_set(target, names, module.name)
        if any(set(names) == set(known) for known in target.unique):
            raise DeclarationError(f"{module.name}: model {code}: unique {names!r} is already "
                                   "declared", module=module.name, model=code)
        target.unique.append(names)
    if declaration.optimistic_lock:
        target.optimistic_lock = True
    target.extended_by.append(module.name)


def extension_members(cls: type) -> dict[str, Any]:
    """The methods, class and static methods and properties an extension class defines."""
    return {name: value for name, value in vars(cls).items()
            if not name.startswith("_") and not isinstance(value, Field)
            and (callable(value) or hasattr(value, "__get__"))}


def _closure(known: dict[str, Module], code: str) -> set[str]:
    seen: set[str] = set()
    stack = list(known[code].depends)
    while stack:
        name = stack.pop()
        if name not in seen and name in known:
            seen.add(name)
            stack.extend(known[name].depends)
    return seen


def _finish(models: dict[str, ModelMeta], meta: ModelMeta) -> None:
    """Proxies take their target's table and fields; stored models get audit fields."""
    if meta.kind == "proxy":
        target = models.get(meta.proxy_of or "")
        if target is None or target.kind != "store":
            raise DeclarationError(f"{meta.module}: proxy model {meta.code} reads "
                                   f"{meta.proxy_of!r}, which is not a stored model",
                                   module=meta.module, model=meta.code)
        own = {n: f for n, f in meta.fields.items() if f.stored and n not in target.fields}
        if own:
            raise DeclarationError(f"{meta.module}: proxy model {meta.code} cannot add stored "
                                   f"field(s) {', '.join(own)}: it has no table of its own",
                                   module=meta.module, model=meta.code, field=next(iter(own)))
    if meta.kind == "store":
        for name in ("create_date", "write_date"):
            meta.fields[name] = DateTime(_system=True, readonly=True).bind(meta.code, name)
        for name in ("create_uid", "write_uid"):
            meta.fields[name] = BigInteger(_system=True, readonly=True).bind(meta.code, name)
        if meta.optimistic_lock:
            meta.fields["opt_version"] = BigInteger(
                _system=True, required=True, default=0, readonly=True).bind(
                    meta.code, "opt_version")


def _check(models: dict[str, ModelMeta]) -> None:
    for meta in models.values():
        if meta.kind == "proxy":
            target = models[meta.proxy_of or ""]
            meta.table = target.table
            meta.optimistic_lock = target.optimistic_lock
            meta.unique = list(target.unique)
            meta.fields = {**{n: f.bind(meta.code, n) for n, f in target.fields.items()},
                           **{n: f for n, f in meta.fields.items() if not f.stored}}
    by_name: dict[str, ModelMeta] = {}
    for meta in models.values():
        other = by_name.setdefault(meta.name, meta)
        if other is not meta:
            raise DeclarationError(
                f"models {other.code} and {meta.code} share the technical (GraphQL) name "
                f"{meta.name!r}: give one of them its own with name=", module=meta.module,
                model=meta.code)
        columns: dict[str, str] = {}
        for field in meta.columns:
            clash = columns.setdefault(field.column, field.name)
            if clash != field.name:
                raise DeclarationError(f"{meta.module}: model {meta.code}: fields {clash!r} and "
                                       f"{field.name!r} both use column {field.column!r}",
                                       module=meta.module, model=meta.code, field=field.name)
        for field in meta.relations:
            _check_relation(models, meta, field)
        for names in meta.unique:  # again, now that extensions have joined their fields
            _check_unique_set(meta, names)
        for names in meta.indexes:
            _check_unique_set(meta, names, kind="index")
    for meta in models.values():
        for field in meta.to_many:
            if isinstance(field, ManyToMany) and not field.inverse and meta.kind != "proxy":
                _join_table(models, meta, field)
    for meta in models.values():
        for field in meta.to_many:
            if isinstance(field, ManyToMany) and field.inverse and meta.kind != "proxy":
                _inverse_join(models, meta, field)
    for meta in models.values():  # a proxy reads its target's join tables
        if meta.kind == "proxy":
            for field in meta.to_many:
                if isinstance(field, ManyToMany):
                    source = models[meta.proxy_of or ""].fields[field.name]
                    field.join_table = source.join_table  # type: ignore[attr-defined]
                    field.source_column = source.source_column  # type: ignore[attr-defined]
                    field.target_column = source.target_column  # type: ignore[attr-defined]


def _fail(meta: ModelMeta, field: Field, problem: str) -> DeclarationError:
    return DeclarationError(f"{meta.module}: model {meta.code}, field {field.name!r}: {problem}",
                            module=meta.module, model=meta.code, field=field.name)


def _check_unique_set(meta: ModelMeta, names: tuple[str, ...], module: str = "",
                      kind: str = "unique") -> None:
    """Each name is a stored field of `meta` (`module` declared the set: an extension's)."""
    module = module or meta.module
    for name in names:
        field = meta.fields.get(name)
        if field is None or not field.stored:
            problem = "is not a field of the model" if field is None else "has no column"
            raise DeclarationError(f"{module}: model {meta.code}: {kind} {names!r}: "
                                   f"{name!r} {problem}", module=module, model=meta.code,
                                   field=name)


def _check_relation(models: dict[str, ModelMeta], meta: ModelMeta, field: Field) -> None:
    target = models.get(field.target)  # type: ignore[attr-defined]
    if target is None:
        raise _fail(meta, field, f"relation to unknown model {field.target!r}")  # type: ignore
    if meta.stored and not target.stored:
        raise _fail(meta, field, f"a stored model cannot relate to {target.kind} model "
                                 f"{target.code}")
    if isinstance(field, ManyToOne) and field.required and field.on_delete == "SET NULL":
        field.on_delete = "RESTRICT"  # a required reference cannot be nulled
    if isinstance(field, OneToMany):
        inverse = target.fields.get(field.inverse or "")
        if not isinstance(inverse, ManyToOne) or inverse.target not in (meta.code, meta.proxy_of):
            raise _fail(meta, field, f"inverse {field.inverse!r} must name a ManyToOne of "
                                     f"{target.code} pointing at {meta.code}")


def _join_table(models: dict[str, ModelMeta], meta: ModelMeta, field: ManyToMany) -> None:
    target = models[field.target]
    if field.through:
        through = models.get(field.through)
        if through is None or through.kind != "store":
            raise _fail(meta, field, f"through {field.through!r} is not a stored model")
        links = [f for f in through.many2ones]
        source = next((f for f in links if f.target == meta.code), None)
        rest = [f for f in links if f is not source]
        other = next((f for f in rest if f.target == target.code), None)
        if source is None or other is None:
            raise _fail(meta, field, f"through model {through.code} needs a ManyToOne to "
                                     f"{meta.code} and one to {target.code}")
        field.join_table, field.source_column, field.target_column = (
            through.table, source.column, other.column)
        return
    source = f"{snake_case(model_name(meta.code))}_id"
    other = f"{snake_case(model_name(target.code))}_id"
    if other == source:
        other = f"{field.name}_id"
    field.join_table = bounded(f"{meta.table}_{field.name}_rel")
    field.source_column, field.target_column = source, other


def _inverse_join(models: dict[str, ModelMeta], meta: ModelMeta, field: ManyToMany) -> None:
    target = models[field.target]
    mirror = target.fields.get(field.inverse or "")
    if not isinstance(mirror, ManyToMany) or mirror.target != meta.code or mirror.inverse:
        raise _fail(meta, field, f"inverse {field.inverse!r} must name a ManyToMany of "
                                 f"{target.code} pointing at {meta.code}")
    field.join_table = mirror.join_table
    field.source_column, field.target_column = mirror.target_column, mirror.source_column
