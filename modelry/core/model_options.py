"""The class keywords of a model declaration that take more than a value, checked:
`unique=` sets (and those inherited from bases), `indexes=` and `name=`. Each refusal is
a DeclarationError naming the module and model."""
from __future__ import annotations

import re
from typing import Any

from modelry.core.naming import is_model_code, module_of
from modelry.errors import DeclarationError


def technical_name(name: Any, code: str, module: str) -> str | None:
    """A model's own technical (GraphQL) name, `name=` (for two modules' models named
    alike); None: derived from its code."""
    if name is None:
        return None
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][A-Za-z0-9]{0,62}", name):
        raise DeclarationError(f"{module}: model {code}: name= is a technical name in lower "
                               f"camel case (letters and digits), not {name!r}",
                               module=module, model=code)
    return name


def index_sets(value: Any, code: str, module: str, kind: str, inherit: Any
                ) -> tuple[tuple[str, ...], ...]:
    """`indexes=[("merchant", "finished_at"), ...]`: indexes over several columns, in
    order, for the queries that filter on the first and sort or range on the next."""
    if not value:
        return ()
    if inherit or kind != "store":
        raise DeclarationError(f"{module}: model {code}: indexes= is declared on the stored "
                               "model itself", module=module, model=code)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not all(
            isinstance(entry, (list, tuple)) and len(entry) >= 2 and len(set(entry)) ==
            len(entry) and all(isinstance(n, str) for n in entry) for entry in value):
        raise DeclarationError(f"{module}: model {code}: indexes= takes a list of tuples of "
                               f"two or more distinct field names, such as "
                               f"indexes=[(\"merchant\", \"finished_at\")]; got {value!r}",
                               module=module, model=code)
    return tuple(tuple(entry) for entry in value)


def unique_sets(value: Any, code: Any, module: str | None, where: str
                 ) -> tuple[tuple[str, ...], ...]:
    """`unique=[("ledger", "code"), ...]` as a tuple of field-name tuples, each of two or
    more distinct names (one name is `unique=True` on the field)."""
    valid = isinstance(code, str) and is_model_code(code)
    module = module or (module_of(code) if valid else None)
    prefix = f"{module}: model {code}" if module else where
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise DeclarationError(f"{prefix}: unique= takes a list of field-name tuples, such as "
                               f"unique=[(\"ledger\", \"code\")]; got {value!r}",
                               module=module, model=code or None)
    sets: list[tuple[str, ...]] = []
    for entry in value:
        names = (entry,) if isinstance(entry, str) else tuple(entry) \
            if isinstance(entry, (list, tuple)) else None
        if names is None or not all(isinstance(n, str) for n in names):
            raise DeclarationError(f"{prefix}: unique= entries are tuples of field names; got "
                                   f"{entry!r}", module=module, model=code or None)
        if len(set(names)) != len(names) or len(names) < 2:
            raise DeclarationError(
                f"{prefix}: unique {names!r} needs two or more distinct fields (one field is "
                "unique=True on the field itself)", module=module, model=code or None)
        if any(set(names) == set(known) for known in sets):
            raise DeclarationError(f"{prefix}: unique {names!r} is declared twice",
                                   module=module, model=code or None)
        sets.append(names)
    return tuple(sets)


def collect_unique(cls: type, own: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The unique sets of `cls`'s bases (abstract models, mixins), then its own."""
    collected: list[tuple[str, ...]] = []
    for klass in reversed(cls.__mro__[1:]):
        for names in vars(klass).get("_declared_unique", ()):
            if not any(set(names) == set(known) for known in collected):
                collected.append(names)
    collected += [names for names in own if not any(set(names) == set(k) for k in collected)]
    return tuple(collected)
