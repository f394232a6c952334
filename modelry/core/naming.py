"""Naming rules: model code → module, technical name, table, GraphQL name."""
from __future__ import annotations

import re

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def snake_case(name: str) -> str:
    """`PetShop` → `pet_shop`, `HTTPLog` → `http_log`."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def lower_camel(name: str) -> str:
    """`pet_shop` or `PetShop` → `petShop`."""
    if "_" in name:
        head, *rest = name.split("_")
        return head.lower() + "".join(part[:1].upper() + part[1:] for part in rest)
    return name[:1].lower() + name[1:]


def is_model_code(code: str) -> bool:
    """True for `module.ModelName` codes."""
    return bool(_CODE.match(code))


def is_identifier(name: str) -> bool:
    """True for snake_case module and field names."""
    return bool(_IDENTIFIER.match(name))


def module_of(code: str) -> str:
    """`petstore.PetShop` → `petstore`."""
    return code.split(".", 1)[0]


def model_name(code: str) -> str:
    """`petstore.PetShop` → `PetShop`."""
    return code.split(".", 1)[1]


def technical_name(code: str) -> str:
    """`petstore.PetShop` → `petShop` (also the GraphQL name)."""
    return lower_camel(model_name(code))


def table_name(code: str) -> str:
    """`petstore.PetShop` → `petstore_pet_shop`."""
    return f"{module_of(code)}_{snake_case(model_name(code))}"


MAX_IDENTIFIER = 60  # PostgreSQL allows 63 characters, MySQL 64


def bounded(name: str, limit: int = MAX_IDENTIFIER) -> str:
    """`name` if short enough, else a readable head plus a stable hash."""
    if len(name) <= limit:
        return name
    import hashlib
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:limit - 9]}_{digest}"
