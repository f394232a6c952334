"""`Model`: the base class of declarations and of the records the data manager returns."""
from __future__ import annotations


from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from modelry.core import context
from modelry.core.fields import Field, ManyToOne, Relation
from modelry.core.fields.base import NOTHING
from modelry.core.naming import is_identifier, is_model_code, lower_camel, module_of
from modelry.core.model_options import collect_unique, index_sets, technical_name, unique_sets
from modelry.core.registry.archived import archive_field
from modelry.core.registry.catalog import KINDS, Declaration, declare
from modelry.errors import DataError, DeclarationError

SYSTEM_FIELDS = ("id", "create_date", "write_date", "create_uid", "write_uid", "opt_version")
CLASS_OPTIONS = frozenset(
    {"model", "inherit", "kind", "optimistic_lock", "proxy", "module", "display_name", "unique",
     "name", "indexes", "archived"})


class _SystemValue:
    """A read/write attribute for a system column (id, audit fields, opt_version)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, record: Any, owner: type | None = None) -> Any:
        return self if record is None else record._values.get(self.name)

    def __set__(self, record: Any, value: Any) -> None:
        record._set(self.name, value)


def _extension_member(cls: type, name: str) -> Any:
    """Member `name` an `inherit=` extension adds to `cls`'s model in the active registry
    (unbound), or None. Each registry has its own: the class itself is never changed."""
    registry = context.active_registry()
    code = getattr(cls, "_model_code", "")
    meta = registry.find(code) if registry is not None and code else None
    return None if meta is None else meta.members.get(name)


class _ModelType(type):
    """Lets a model class reach the class and static methods its extensions add."""

    def __getattr__(cls, name: str) -> Any:
        member = None if name.startswith("_") else _extension_member(cls, name)
        if member is None:
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        return member.__get__(None, cls)


class Model(metaclass=_ModelType):
    """Base class of every model. Subclass it with `model="module.Name"` to declare one.

    Class keywords: `model` (the code), `kind` (store, abstract, transient, proxy),
    `optimistic_lock`, `display_name`, `proxy` (the model code a proxy reads),
    `inherit` (extend another module's model: the fields join its table), `module`
    (the owning module of an extension, when its package does not say), `unique` (sets
    of fields whose values together are unique: `unique=[("ledger", "code")]`), `indexes`,
    `name` and `archived` (the Boolean field of a recycle bin: core/registry/archived.py).
    """

    _model_code: ClassVar[str] = ""
    _declared_fields: ClassVar[dict[str, Field]] = {}
    _declared_unique: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # marks a write leaves on a record (data/rows.py, data/written.py), unset by default:
    # read on every write, found here rather than by a failed lookup (__getattr__)
    _as_stored: bool = False
    _key_only: str | None = None

    id = _SystemValue()
    create_date = _SystemValue()
    write_date = _SystemValue()
    create_uid = _SystemValue()
    write_uid = _SystemValue()
    opt_version = _SystemValue()

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__()
        unknown = sorted(set(options) - CLASS_OPTIONS)
        code = options.get("model") or options.get("inherit") or ""
        where = f"{cls.__module__}.{cls.__qualname__}"
        if unknown:
            valid = isinstance(code, str) and is_model_code(code)
            module = options.get("module") or (module_of(code) if valid else None)
            prefix = f"{module}: model {code} ({where})" if module else where
            raise DeclarationError(f"{prefix}: unknown model option(s) {', '.join(unknown)}",
                                   module=module, model=code or None)
        cls._declared_fields = _collect_fields(cls)
        own_unique = unique_sets(options.get("unique", ()), code, options.get("module"), where)
        # an extension's sets join its target's; other classes' join their bases'
        cls._declared_unique = own_unique if options.get("inherit") else \
            collect_unique(cls, own_unique)
        if not code:
            return  # a plain Python mixin: fields are inherited by declared subclasses
        declaration = _declaration(cls, options, where)
        cls._model_code = declaration.code if not declaration.is_extension else code
        declare(declaration)

    # ── records ──────────────────────────────────────────────────────────────
    def __init__(self, **values: Any) -> None:
        object.__setattr__(self, "_related", {})
        object.__setattr__(self, "_batch", None)
        cls = type(self)
        meta = cls._meta() if values else None
        if values and values.keys() <= _plain_fields(cls, meta):
            # every value a plain field's: the values as _set would store them (the dict
            # `**values` made is this call's own)
            object.__setattr__(self, "_values", values)
            object.__setattr__(self, "_changed", set(values))
            return
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_changed", set())
        if not values:
            return
        known = meta.fields if meta is not None else cls._declared_fields
        for name, value in values.items():
            field = known.get(name)
            # a plain field set through its own descriptor (or none): straight into the
            # values, as _set would put it; relations, properties and the rest: setattr
            if field is not None and not isinstance(field, Relation) and isinstance(
                    getattr(cls, name, field), Field) and name[0] != "_":
                self._values[name] = value
                self._changed.add(name)
            else:
                setattr(self, name, value)

    @classmethod
    def _meta(cls) -> Any:
        """This model's metadata in the active registry (None when no app runs)."""
        registry = context.active_registry()
        return None if registry is None else registry.model(cls._model_code)

    @classmethod
    def _field(cls, name: str) -> Field | None:
        meta = cls._meta()
        if meta is not None:
            return meta.fields.get(name)
        return cls._declared_fields.get(name)

    def _get(self, name: str) -> Any:
        field = type(self)._field(name)
        if isinstance(field, Relation):
            if name in self._related:
                return self._related[name]
            if isinstance(field, ManyToOne) and self._values.get(field.column) is None:
                return None
            if self._values.get("id") is None and not isinstance(field, ManyToOne):
                return []
            return context.gateway(self._model_code).load_relation(self, name)
        return self._values.get(name)

    def _set(self, name: str, value: Any) -> None:
        field = type(self)._field(name)
        if isinstance(field, ManyToOne):
            if isinstance(value, Model):
                self._related[name] = value
                self._values[field.column] = value.id
            else:
                self._related.pop(name, None)
                self._values[field.column] = None if value is None else _as_id(value)
        elif isinstance(field, Relation):
            self._related[name] = value
        else:
            self._values[name] = value
        self._changed.add(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        # a column the record holds (a ManyToOne's `<name>_id`, a field added by an
        # extension): read without finding the field in the active registry
        value = self.__dict__.get("_values", {}).get(name, NOTHING)
        if value is not NOTHING:
            return value
        field = type(self)._field(name)
        if field is not None:
            return self._get(name)
        m2o = self._m2o_by_column(name)
        if m2o is not None:
            return self._values.get(name)
        member = _extension_member(type(self), name)
        if member is not None:
            return member.__get__(self, type(self))
        raise AttributeError(f"{self._model_code or type(self).__name__} has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or hasattr(type(self), name):
            object.__setattr__(self, name, value)
            return
        if type(self)._field(name) is not None:
            self._set(name, value)
            return
        m2o = self._m2o_by_column(name)
        if m2o is None:
            raise DataError(f"{self._model_code}: unknown field {name!r}",
                            code="UNKNOWN_FIELD", model=self._model_code, field=name)
        self._set(m2o.name, value)

    def _m2o_by_column(self, column: str) -> ManyToOne | None:
        if not column.endswith("_id"):
            return None
        field = type(self)._field(column[:-3])
        return field if isinstance(field, ManyToOne) else None

    def to_dict(self) -> dict[str, Any]:
        """The stored values held by this record (ManyToOne as `<field>_id`)."""
        return dict(self._values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in list(self._values.items())[:6])
        return f"<{type(self).__name__} {shown}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model) or self.id is None:
            return self is other
        return other._model_code == self._model_code and other.id == self.id

    def __hash__(self) -> int:
        return hash((self._model_code, self.id)) if self.id is not None else id(self)

    # ── data manager: record methods ─────────────────────────────────────────
    def create(self) -> Model:
        """Insert this record; fills `id` and the audit fields. Returns self."""
        return _builtin(self._model_code, "create", "CREATE",
                        lambda record: context.gateway(record._model_code).create(record),
                        self)

    def update_by_id(self) -> int:
        """Write the changed fields; returns rows affected (0 when the held version is stale)."""
        return _builtin(self._model_code, "update_by_id", "UPDATE",
                        lambda record: context.gateway(record._model_code).update_by_id(record),
                        self)

    def delete_by_id(self) -> int:
        """Delete this record; returns rows deleted (0 when the held version is stale)."""
        return _builtin(self._model_code, "delete_by_id", "DELETE",
                        lambda record: context.gateway(record._model_code).delete_by_id(record),
                        self)

    def save(self) -> Model:
        """Insert or update (by primary key when USE_PK_STRATEGY, else by unique fields)."""
        return context.gateway(self._model_code).save(self)

    # ── data manager: class methods ──────────────────────────────────────────
    @classmethod
    def create_batch(cls, records: Iterable[Model]) -> list[Model]:
        """Insert many records in one transaction."""
        return context.gateway(cls._model_code).create_batch(cls._model_code, list(records))

    @classmethod
    def update_batch(cls, records: Iterable[Model]) -> int:
        """Update many records; raises OptimisticLockError (writing none) if any is stale."""
        return context.gateway(cls._model_code).update_batch(cls._model_code, list(records))

    @classmethod
    def delete_batch(cls, records: Iterable[Model | int]) -> int:
        """Delete many records (or ids), each once; raises OptimisticLockError (deleting
        none) if any record's held version is stale. Returns rows deleted."""
        return context.gateway(cls._model_code).delete_batch(cls._model_code, list(records))

    @classmethod
    def lock(cls, ids: Iterable[Any]) -> list[Model]:
        """Lock these records (ids or records) until the open transaction ends, in id order
        (no deadlocks); returns them by id, leaving out ids that do not exist."""
        return context.gateway(cls._model_code).lock(cls._model_code, ids)

    @classmethod
    def increment(cls, id: Any, /, guard: Any = None, **deltas: Any) -> int:
        """Add `deltas` (field=number) to record `id` in one UPDATE if it meets `guard` (an
        RSQL string or a dict of keyword filters, tested before the change): 1, else 0."""
        return context.gateway(cls._model_code).increment(cls._model_code, id, guard, deltas)

    @classmethod
    def increment_batch(cls, changes: Mapping[Any, Mapping[str, Any]], guard: Any = None) -> int:
        """Add `{id: {field: number}}`, one UPDATE per record in id order; all or none
        (ConditionFailed names records gone or failing `guard`). Returns rows updated."""
        return context.gateway(cls._model_code).increment_batch(cls._model_code, changes, guard)

    @classmethod
    def update_where(cls, where: Any, /, **values: Any) -> int:
        """Set `values` on every record meeting `where` (RSQL or keyword filters, tested
        as each row is updated); returns how many were updated."""
        return context.gateway(cls._model_code).update_where(cls._model_code, where, values)

    @classmethod
    def insert_bulk(cls, rows: Iterable[Mapping[str, Any]], returning_ids: bool = False,
                    skip_existing: Sequence[str] | None = None) -> Any:
        """Insert dicts of field values without building records: the row count, or the
        new ids in row order (`returning_ids`). `skip_existing` names a unique set: a row
        whose key is stored (or earlier in `rows`) is skipped, not an error; its id is
        None, and the count is of rows inserted."""
        return context.gateway(cls._model_code).insert_bulk(
            cls._model_code, list(rows), returning_ids, skip_existing)

    @classmethod
    def query_by_id(cls, id: Any) -> Model | None:
        """The record with this id, or None."""
        return context.gateway(cls._model_code).query_by_id(cls._model_code, id)

    @classmethod
    def query_one(cls, rsql: Any = None, **filters: Any) -> Model | None:
        """The one record matching the filter, or None; an error if several match."""
        return context.gateway(cls._model_code).query_one(cls._model_code, rsql, filters)

    @classmethod
    def query_list(cls, rsql: Any = None, sort: str | None = None, limit: int | None = None,
                   hide_archived: bool = False, **filters: Any) -> list[Model]:
        """Records matching the filter, sorted like `"name,-income"`; `hide_archived`
        leaves out archived records unless the filter names the field (`archived=`)."""
        return context.gateway(cls._model_code).query_list(
            cls._model_code, rsql, filters, sort=sort, limit=limit, hide_archived=hide_archived)

    @classmethod
    def query_page(cls, rsql: Any = None, page: int = 1, size: int = 20,
                   sort: str | None = None, totals: bool = True, hide_archived: bool = False,
                   **filters: Any) -> Any:
        """One page (1-based) of matching records, with totals unless `totals=False`
        (then no COUNT is run, and the totals are None); `hide_archived` as in query_list."""
        return context.gateway(cls._model_code).query_page(
            cls._model_code, rsql, filters, page=page, size=size, sort=sort, totals=totals,
            hide_archived=hide_archived)

    @classmethod
    def count(cls, rsql: Any = None, hide_archived: bool = False, **filters: Any) -> int:
        """How many records match the filter (`hide_archived` as in query_list)."""
        return context.gateway(cls._model_code).count(cls._model_code, rsql, filters, hide_archived)

    @classmethod
    def group_totals(cls, group_by: str | Sequence[str] = (), sums: Sequence[str] = (),
                     rsql: Any = None, maxes: Sequence[str] = (), mins: Sequence[str] = (),
                     **filters: Any) -> list[dict[str, Any]]:
        """Per value of `group_by` (ordered, NULL first), the totals of the `sums` fields,
        the largest and smallest values of the `maxes` and `mins` fields (as `max_<name>`
        and `min_<name>`, None when all are NULL) and `count`, over the matching records;
        one statement."""
        return context.gateway(cls._model_code).group_totals(
            cls._model_code, group_by, sums, rsql, filters, maxes, mins)

    @classmethod
    def construct(cls, **values: Any) -> Model:
        """A new, unsaved record with defaults filled, then `values` applied."""
        return context.gateway(cls._model_code).construct(cls._model_code, values)


RESERVED_NAMES = frozenset(SYSTEM_FIELDS) | frozenset(
    name for name in vars(Model) if not name.startswith("_"))


def _builtin(namespace: str, fun: str, fun_type: str, body: Any, record: Any) -> Any:
    """Run a record's built-in through hooks and extension points when the directives ask
    for it; they see the record as `call.args[0]`, as on a GraphQL create or update."""
    from modelry import directives
    from modelry.directives import Directive
    if not directives.current() & (Directive.HOOK | Directive.EXT_POINT):
        return body(record)
    from modelry.core.functions.pipeline import invoke
    return invoke(namespace, lower_camel(fun), fun_type, body, (record,), {}, builtin=True)


def _as_id(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("a record id cannot be a boolean")
    return int(value)


def _collect_fields(cls: type) -> dict[str, Field]:
    collected: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Field):
                collected[name] = value
    return collected


def _plain_fields(cls: type, meta: Any) -> frozenset[str]:
    """The names of `cls`'s plain fields under `meta` (None: its declared fields): stored
    straight into a record's values, set through their own descriptor, neither relations
    nor private; kept on the class for the last metadata it was asked for."""
    cached = cls.__dict__.get("_plain_cache")
    if cached is not None and cached[0] is meta:
        return cached[1]  # type: ignore[no-any-return]
    known = meta.fields if meta is not None else cls._declared_fields  # type: ignore[attr-defined]
    names = frozenset(name for name, field in known.items()
                      if not isinstance(field, Relation) and name[0] != "_"
                      and isinstance(getattr(cls, name, field), Field))
    cls._plain_cache = (meta, names)  # type: ignore[attr-defined]
    return names


def _declaration(cls: type, options: dict[str, Any], where: str) -> Declaration:
    code, inherit = options.get("model"), options.get("inherit")
    kind = options.get("kind") or ("proxy" if options.get("proxy") else "store")
    if code and inherit:
        raise DeclarationError(f"{where}: give either model= (a new model) or inherit= "
                               "(extend a model), not both", model=code)
    subject = code or inherit
    if not isinstance(subject, str) or not is_model_code(subject):
        raise DeclarationError(f"{where}: model code {subject!r} must look like "
                               "'module.ModelName'", model=str(subject))
    module = options.get("module") or module_of(subject)
    if code and code.endswith(("Query", "Mutation")):
        raise DeclarationError(f"{module}: model code {code!r} must not end in Query or "
                               "Mutation (those names are the GraphQL root fields)",
                               module=module, model=code)
    if code and kind not in KINDS:
        raise DeclarationError(f"{module}: model {code}: kind must be one of "
                               f"{', '.join(KINDS)}, got {kind!r}", module=module, model=code)
    if kind == "proxy" and not options.get("proxy"):
        raise DeclarationError(f"{module}: proxy model {code} needs proxy='module.Model'",
                               module=module, model=code)
    if inherit:  # an extension adds its own fields (and those of plain mixins) only
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__[1:]):
            if not issubclass(klass, Model):
                fields.update({n: f for n, f in vars(klass).items() if isinstance(f, Field)})
        fields.update({n: f for n, f in vars(cls).items() if isinstance(f, Field)})
    else:
        fields = dict(cls._declared_fields)  # type: ignore[attr-defined]
    for name, field in fields.items():
        _check_field(module, subject, name, field)
    unique = cls._declared_unique  # type: ignore[attr-defined]
    if kind in ("transient", "proxy") and not inherit:
        if options.get("unique"):
            raise DeclarationError(f"{module}: model {code}: a {kind} model has no table of "
                                   "its own, so it cannot declare unique=",
                                   module=module, model=code)
        unique = ()  # sets inherited from an abstract model bind only stored models
    return Declaration(
        code=subject, kind="extension" if inherit else kind, cls=cls, fields=fields,
        python_module=cls.__module__, optimistic_lock=bool(options.get("optimistic_lock")),
        display_name=options.get("display_name"), proxy_of=options.get("proxy"),
        module_hint=options.get("module"), unique=unique,
        technical_name=technical_name(options.get("name"), subject, module),
        indexes=index_sets(options.get("indexes", ()), subject, module, kind, inherit),
        archived=archive_field(options.get("archived"), fields, subject, module, kind, inherit))


def _check_field(module: str, model: str, name: str, field: Field) -> None:
    prefix = f"{module}: model {model}, field {name!r}"
    if not is_identifier(name):
        raise DeclarationError(f"{prefix}: field names must be snake_case",
                               module=module, model=model, field=name)
    if name in RESERVED_NAMES:
        raise DeclarationError(f"{prefix}: the name is reserved (system field or model method)",
                               module=module, model=model, field=name)
    field.check_declaration(module, model)
    if isinstance(field, Relation):
        problem = field.target_problem()
        if problem:
            raise DeclarationError(f"{prefix}: {problem}", module=module, model=model,
                                   field=name)
