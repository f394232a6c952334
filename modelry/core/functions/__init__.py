"""Functions, hooks and extension points: `@function`, `@action`, `@hook`, `@ext_point`."""
from modelry.core.functions.decorators import action, ext_point, function, hook
from modelry.core.functions.pipeline import Call, invoke

__all__ = ["Call", "action", "ext_point", "function", "hook", "invoke"]
