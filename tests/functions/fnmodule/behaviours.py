"""Hooks and extension-point implementations of `fntest`.

Every one records itself in `trace.TRACE`; those that change arguments or results, or
refuse, do so only while their switch is in `trace.SWITCHES`. They are declared out of
priority order on purpose.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import Call, DataError, ext_point, hook
from tests.functions.fnmodule.models import Gadget, Level
from tests.functions.fnmodule.trace import CALLS, SWITCHES, trace

CALC = "fntest.Calc"
GADGET = "fntest.Gadget"


# ── hooks on Calc.shout: filters of every kind, out of priority order ───────────
@hook.before(priority=30, module="fntest", fun="shout")
def shout_before_30(call: Call) -> None:
    trace("before 30 (module+fun)")


@hook.before(priority=10, model=CALC, fun="shout")
def shout_before_10(call: Call) -> None:
    trace("before 10 (model+fun)")
    CALLS.append(call)
    if "hook-args" in SWITCHES:
        call.kwargs["text"] = call.kwargs["text"] + " and more"


@hook.before(priority=20, module="fntest", fun_type="QUERY")
def any_query_before_20(call: Call) -> None:
    trace(f"before 20 (module+type) {call.fun}")


@hook.before(priority=1, module="demo", fun="shout")
def other_module(call: Call) -> None:
    trace("never: module demo")


@hook.before(priority=2, model=GADGET, fun="shout")
def other_model(call: Call) -> None:
    trace("never: model Gadget")


@hook.before(priority=3, fun="shout", fun_type="DELETE")
def other_type(call: Call) -> None:
    trace("never: type DELETE")


@hook.before(priority=4, model=CALC, fun="greet")
def other_fun(call: Call) -> None:
    trace("before greet")


@hook.after(priority=40, model=CALC, fun="shout")
def shout_after_40(call: Call, result: Any) -> None:
    trace(f"after 40 saw {result}")


@hook.after(priority=15, model=CALC, fun="shout")
def shout_after_15(call: Call, result: Any) -> Any:
    trace(f"after 15 saw {result}")
    return f"{result} (after hook)" if "hook-result" in SWITCHES else None


# ── hooks on Gadget writes ───────────────────────────────────────────────────────
@hook.before(priority=5, model=GADGET, fun="create")
def gadget_create_before(call: Call) -> None:
    trace("gadget create before-hook")
    if "hook-replace-record" in SWITCHES:
        call.args[0] = Gadget(name="replaced by a hook", price=Decimal("1.5"))


@hook.before(priority=50, module="fntest", fun_type="CREATE")
def refuse_forbidden(call: Call) -> None:
    trace(f"create-type hook {call.fun}")
    for argument in [*call.args, *call.kwargs.values()]:
        records = argument if isinstance(argument, list) else [argument]
        for record in records:
            if isinstance(record, Gadget) and record.name == "forbidden":
                raise DataError("fntest.Gadget: the name 'forbidden' is refused",
                                code="GADGET_REFUSED", model=GADGET, field="name")


@hook.after(priority=5, model=GADGET, fun="create")
def gadget_create_after(call: Call, result: Any) -> Any:
    trace("gadget create after-hook")
    if "hook-create-result" in SWITCHES:
        result.note = "changed by an after-hook"
        return result
    return None


@hook.after(priority=6, model=GADGET, fun="create")
def gadget_create_rename(call: Call, result: Any) -> Any:
    """Renames the created gadget in the answer only (switch "hook-rename-result")."""
    if "hook-rename-result" in SWITCHES:
        result.name = "renamed by an after-hook"
        return result
    return None


@hook.after(priority=5, model=GADGET, fun="update")
def gadget_update_rename(call: Call, result: Any) -> Any:
    """Renames the updated gadget on the record only (switch "hook-rename-result")."""
    if "hook-rename-result" in SWITCHES:
        call.args[0].name = "renamed by an after-hook"
    return None


@hook.before(priority=7, model=GADGET, fun="renameAll")
def gadget_rename_all(call: Call) -> None:
    trace(f"renameAll hook on {call.namespace}")


# ── extension points of Calc.shout ───────────────────────────────────────────────
@ext_point.before(CALC, "shout", when=lambda call: "ext-before" in SWITCHES)
def shout_ext_before(call: Call) -> None:
    trace("shoutBefore")
    call.kwargs["text"] = f"[{call.kwargs['text']}]"


@ext_point.override(CALC, "shout", when=lambda call: "ext-override" in SWITCHES)
def shout_ext_override(call: Call, proceed: Any) -> str:
    trace("shoutOverride")
    return f"override({proceed()})"


@ext_point.override(CALC, "shout", when=lambda call: "ext-replace" in SWITCHES, priority=98)
def shout_ext_replace(call: Call, proceed: Any) -> str:
    trace("shoutOverride without proceed")
    return "replaced"


@ext_point.after(CALC, "shout", when=lambda call: "ext-after" in SWITCHES)
def shout_ext_after(call: Call, result: Any) -> str:
    trace("shoutAfter")
    return f"{result} (ext after)"


# ── several implementations of greetOverride / greetBefore ───────────────────────
def _name(call: Call) -> str:
    return call.kwargs.get("name") or (call.args[0] if call.args else "")


@ext_point.override(CALC, "greet", priority=20, when=lambda call: _name(call).startswith("v"))
def greet_20(call: Call, proceed: Any) -> str:
    trace("greet 20")
    return f"v-{proceed()}"


@ext_point.override(CALC, "greet", priority=30, when=lambda call: _name(call).startswith("v"))
def greet_30(call: Call, proceed: Any) -> str:
    trace("greet 30")
    return "thirty"


@ext_point.override(CALC, "greet", priority=10, when=lambda call: _name(call).startswith("vip"))
def greet_10(call: Call, proceed: Any) -> str:
    trace("greet 10")
    return f"VIP {proceed()}"


@ext_point.override(CALC, "greet", priority=5, when=lambda call: _name(call) == "five")
def greet_5(call: Call, proceed: Any) -> str:
    trace("greet 5")
    return "five wins"


@ext_point.before(CALC, "greet", priority=50, when=lambda call: _name(call) == "rename")
def greet_rename(call: Call) -> None:
    trace("greetBefore")
    call.kwargs["name"] = "renamed"


# ── extension points of the Gadget built-ins ─────────────────────────────────────
@ext_point.before(GADGET, "create", when=lambda call: "create-before" in SWITCHES)
def gadget_create_ext_before(call: Call) -> None:
    trace("createBefore")
    call.args[0].price = Decimal("99")


@ext_point.before(GADGET, "queryPage", when=lambda call: "only-high" in SWITCHES)
def only_high(call: Call) -> None:
    trace("queryPageBefore")
    call.args[0] = f"level=={Level.HIGH.value}"


@ext_point.after(GADGET, "countByWrapper", when=lambda call: "count-plus" in SWITCHES)
def count_plus(call: Call, result: int) -> int:
    trace("countByWrapperAfter")
    return result + 1000


# ── the custom point `discount` ──────────────────────────────────────────────────
@ext_point.implement(CALC, "discount", priority=20, when=lambda call: call.args[0] >= 100)
def ten_percent(call: Call) -> Decimal:
    trace("discount 20")
    return call.args[0] * Decimal("0.9")


@ext_point.implement(CALC, "discount", priority=10, when=lambda call: call.args[0] >= 1000)
def twenty_percent(call: Call) -> Decimal:
    trace("discount 10")
    return call.args[0] * Decimal("0.8")
