"""`modelry grant`: give a role the rights on a module, a model or a function.

It writes the rights records of the base module (`base.Role`, `base.ModelAccess`,
`base.FunctionAccess`), so a database built from a DDL script can be opened without
writing them by hand. Granting is idempotent: rights already held are kept, nothing is
written twice, and nothing is ever taken away. Like `modelry user`, it boots with RELOAD
(the tables must exist) and writes without permission checks.
"""
from __future__ import annotations

from typing import Any

import click

from modelry.cli_application import administered, err
from modelry.config import load_settings
from modelry.core.security.grants import grant_module
from modelry.errors import ModelryError

ROLE, MODEL_ACCESS, FUNCTION_ACCESS = "base.Role", "base.ModelAccess", "base.FunctionAccess"
PERMS = ("read", "create", "update", "delete")


class GrantError(ModelryError):
    """A grant names something the loaded modules do not declare, or rights it cannot have."""

    code = "GRANT_REFUSED"


@click.command("grant")
@click.option("--config", type=click.Path(), help="modelry.yaml to read")
@click.option("--database", help="database URL (overrides the config)")
@click.option("--role", required=True, metavar="CODE",
              help="code of the role to grant to (created when missing), e.g. user, anonymous")
@click.option("--module", "modules", multiple=True, metavar="NAME",
              help="every right on the module's models and API functions (repeatable)")
@click.option("--model", "models", multiple=True, metavar="CODE",
              help="rights on one model, e.g. demo.PetShop (repeatable; see --perms)")
@click.option("--perms", default=",".join(PERMS), show_default=True,
              help="with --model: the rights to grant, comma-separated (a transient "
                   "model has only read)")
@click.option("--function", "functions", multiple=True, metavar="NAMESPACE.FUN",
              help="the right to call one API function, e.g. demo.PetShop.richest "
                   "(repeatable)")
@click.option("--load", "loaded", multiple=True, metavar="NAME",
              help="another module the application boots with, not granted (repeatable; "
                   "the config's modules are loaded too)")
def grant_command(config: str | None, database: str | None, role: str,
                  modules: tuple[str, ...], models: tuple[str, ...], perms: str,
                  functions: tuple[str, ...], loaded: tuple[str, ...]) -> None:
    """Grant a role the rights on modules, models or functions (idempotent)."""
    if not (modules or models or functions):
        raise click.UsageError("name what to grant: --module, --model or --function")
    wanted = _perms(perms)
    owners = [code.partition(".")[0] for code in (*models, *functions)]
    boot_with = list(dict.fromkeys([*load_settings(config).modules, *loaded, *modules,
                                    *owners]))
    with administered(config, database, boot_with) as app:
        for code in models:  # refuse before anything is written
            check_model(app, code, wanted)
        for name in functions:
            check_function(app, *name.rpartition(".")[::2])
        if ensure_role(app, role):
            err.print(f"created role {role!r}")
        for module in modules:
            created = grant_module(app, module, role)
            err.print(f"role {role!r}: module {module}: "
                      + (f"{created} right(s) granted" if created else "already granted"))
        for code in models:
            granted = grant_model(app, role, code, wanted)
            err.print(f"role {role!r}: model {code}: "
                      + (f"{', '.join(granted)} granted" if granted else "already granted"))
        for name in functions:
            namespace, _, fun = name.rpartition(".")
            err.print(f"role {role!r}: function {name}: " + (
                "granted" if grant_function(app, role, namespace, fun) else "already granted"))


def _perms(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [p for p in chosen if p not in PERMS]
    if unknown or not chosen:
        raise click.BadParameter(f"expected some of {', '.join(PERMS)}, got {text!r}",
                                 param_hint="--perms")
    return chosen


def ensure_role(app: Any, code: str) -> bool:
    """Create the role `code` unless it exists; True when it was created."""
    if app.data.query_one(ROLE, filters={"code": code}) is not None:
        return False
    app.data.create(app.registry.model(ROLE).cls(code=code, name=code))
    return True


def _role_id(app: Any, code: str) -> int:
    role = app.data.query_one(ROLE, filters={"code": code})
    if role is None:
        raise GrantError(f"no role has the code {code!r}", model=ROLE, field="code")
    return int(role.id)


def check_model(app: Any, code: str, perms: tuple[str, ...]) -> None:
    """Refuse a model the loaded modules do not declare, or perms it cannot have."""
    meta = app.registry.find(code)
    if meta is None:
        raise GrantError(f"no loaded module declares the model {code!r} (load its module "
                         "with --load, or give --config)", model=code)
    if meta.kind == "abstract":
        raise GrantError(f"{code} is an abstract model: it has no records to grant rights "
                         "on", model=code)
    if meta.kind == "transient" and set(perms) - {"read"}:
        raise GrantError(f"{code} is a transient model: it is only constructed, so read is "
                         "its only right", model=code)


def grant_model(app: Any, role: str, code: str, perms: tuple[str, ...]) -> list[str]:
    """Give `role` the `perms` on model `code`; returns those it did not hold before."""
    check_model(app, code, perms)
    role_id = _role_id(app, role)
    held = app.data.query_list(MODEL_ACCESS, filters={"role": role_id, "model": code},
                               sort="id")
    if not held:
        app.data.create(app.registry.model(MODEL_ACCESS).cls(
            role=role_id, model=code, **{f"perm_{p}": p in perms for p in PERMS}))
        return list(perms)
    access = held[0]
    missing = [p for p in perms if not any(getattr(row, f"perm_{p}") for row in held)]
    for perm in missing:
        setattr(access, f"perm_{perm}", True)
    if missing:
        app.data.update_by_id(access)
    return missing


def check_function(app: Any, namespace: str, fun: str) -> None:
    """Refuse a function the loaded modules do not declare, or one clients cannot call."""
    function = app.registry.behaviours.functions.get((namespace, fun))
    if function is None:
        raise GrantError(f"no loaded module declares the function {namespace}.{fun} "
                         "(written NAMESPACE.FUN, e.g. demo.PetShop.richest)")
    if not function.api:
        raise GrantError(f"{namespace}.{fun} is not an API function: clients cannot call "
                         "it, so there is no right to grant")


def grant_function(app: Any, role: str, namespace: str, fun: str) -> bool:
    """Let `role` call the API function `namespace.fun`; False when it already could."""
    check_function(app, namespace, fun)
    role_id = _role_id(app, role)
    if app.data.count(FUNCTION_ACCESS, filters={"role": role_id, "namespace": namespace,
                                                "fun": fun}):
        return False
    app.data.create(app.registry.model(FUNCTION_ACCESS).cls(role=role_id, namespace=namespace,
                                                            fun=fun))
    return True
