"""``session.directive()``: switch single bits of the current set, Oinone style.

Each change replaces the set in the current thread or task only. Inside a ``scope`` or
``run`` the change ends with the block; outside one it lasts for the thread or task.
UNLOCK and AUTHENTICATE are inverse bits and so get the names of what they mean:
``disable_optimistic_locker()`` sets UNLOCK, ``sudo()`` clears AUTHENTICATE.
"""

from __future__ import annotations

from typing import Self

from modelry.directives.flags import Directive
from modelry.directives.state import current, is_set, replace


class DirectiveSession:
    """Chainable switches over the current thread's or task's directive set."""

    def enable(self, *bits: Directive) -> Self:
        """Set ``bits``, keeping the others."""
        for bit in bits:
            replace(current() | Directive(bit))
        return self

    def disable(self, *bits: Directive) -> Self:
        """Clear ``bits``, keeping the others."""
        for bit in bits:
            replace(current() & ~Directive(bit))
        return self

    # BUILT_ACTION
    def enable_built_action(self) -> Self:
        """Mark the call as a built-in create/update/delete action."""
        return self.enable(Directive.BUILT_ACTION)

    def disable_built_action(self) -> Self:
        """Clear the built-in action mark."""
        return self.disable(Directive.BUILT_ACTION)

    def is_built_action(self) -> bool:
        """Return True when the call is marked as a built-in action."""
        return is_set(Directive.BUILT_ACTION)

    # UNLOCK (inverse)
    def enable_optimistic_locker(self) -> Self:
        """Turn the optimistic lock on (clears UNLOCK)."""
        return self.disable(Directive.UNLOCK)

    def disable_optimistic_locker(self) -> Self:
        """Turn the optimistic lock off (sets UNLOCK)."""
        return self.enable(Directive.UNLOCK)

    def is_optimistic_locker(self) -> bool:
        """Return True when the optimistic lock is on (UNLOCK is clear)."""
        return not is_set(Directive.UNLOCK)

    # CHECK
    def enable_check(self) -> Self:
        """Turn validation checks on."""
        return self.enable(Directive.CHECK)

    def disable_check(self) -> Self:
        """Turn validation checks off."""
        return self.disable(Directive.CHECK)

    def is_check(self) -> bool:
        """Return True when validation checks are on."""
        return is_set(Directive.CHECK)

    # DEFAULT_VALUE
    def enable_default_value(self) -> Self:
        """Turn filling of field default values on."""
        return self.enable(Directive.DEFAULT_VALUE)

    def disable_default_value(self) -> Self:
        """Turn filling of field default values off."""
        return self.disable(Directive.DEFAULT_VALUE)

    def is_default_value(self) -> bool:
        """Return True when field default values are filled."""
        return is_set(Directive.DEFAULT_VALUE)

    # EXT_POINT
    def enable_ext_point(self) -> Self:
        """Turn extension points on."""
        return self.enable(Directive.EXT_POINT)

    def disable_ext_point(self) -> Self:
        """Turn extension points off."""
        return self.disable(Directive.EXT_POINT)

    def is_ext_point(self) -> bool:
        """Return True when extension points run."""
        return is_set(Directive.EXT_POINT)

    # HOOK
    def enable_hook(self) -> Self:
        """Turn hooks on."""
        return self.enable(Directive.HOOK)

    def disable_hook(self) -> Self:
        """Turn hooks off."""
        return self.disable(Directive.HOOK)

    def is_hook(self) -> bool:
        """Return True when hooks run."""
        return is_set(Directive.HOOK)

    # AUTHENTICATE (inverse)
    def sudo(self) -> Self:
        """Skip permission checks (clears AUTHENTICATE)."""
        return self.disable(Directive.AUTHENTICATE)

    def disable_sudo(self) -> Self:
        """Apply permission checks (sets AUTHENTICATE)."""
        return self.enable(Directive.AUTHENTICATE)

    def is_sudo(self) -> bool:
        """Return True when permission checks are skipped (AUTHENTICATE is clear)."""
        return not is_set(Directive.AUTHENTICATE)

    # ORM_COLUMN
    def enable_orm_column(self) -> Self:
        """Set ORM_COLUMN: data is keyed by column names, not field names."""
        return self.enable(Directive.ORM_COLUMN)

    def disable_orm_column(self) -> Self:
        """Clear ORM_COLUMN: data is keyed by field names."""
        return self.disable(Directive.ORM_COLUMN)

    def is_orm_column(self) -> bool:
        """Return True when ORM_COLUMN is set."""
        return is_set(Directive.ORM_COLUMN)

    # USE_PK_STRATEGY
    def enable_use_pk_strategy(self) -> Self:
        """Generate primary keys with the model's key strategy."""
        return self.enable(Directive.USE_PK_STRATEGY)

    def disable_use_pk_strategy(self) -> Self:
        """Stop generating primary keys with the model's key strategy."""
        return self.disable(Directive.USE_PK_STRATEGY)

    def is_use_pk_strategy(self) -> bool:
        """Return True when primary keys come from the model's key strategy."""
        return is_set(Directive.USE_PK_STRATEGY)

    # FROM_CLIENT
    def enable_from_client(self) -> Self:
        """Mark the call as coming from a client."""
        return self.enable(Directive.FROM_CLIENT)

    def disable_from_client(self) -> Self:
        """Mark the call as a back-end call."""
        return self.disable(Directive.FROM_CLIENT)

    def is_from_client(self) -> bool:
        """Return True when the call comes from a client."""
        return is_set(Directive.FROM_CLIENT)

    # SYNC
    def enable_sync(self) -> Self:
        """Set SYNC: run the call synchronously."""
        return self.enable(Directive.SYNC)

    def disable_sync(self) -> Self:
        """Clear SYNC."""
        return self.disable(Directive.SYNC)

    def is_sync(self) -> bool:
        """Return True when SYNC is set."""
        return is_set(Directive.SYNC)

    # IGNORE_FUN_MANAGEMENT
    def enable_ignore_fun_management(self) -> Self:
        """Set IGNORE_FUN_MANAGEMENT: skip function management."""
        return self.enable(Directive.IGNORE_FUN_MANAGEMENT)

    def disable_ignore_fun_management(self) -> Self:
        """Clear IGNORE_FUN_MANAGEMENT."""
        return self.disable(Directive.IGNORE_FUN_MANAGEMENT)

    def is_ignore_fun_management(self) -> bool:
        """Return True when IGNORE_FUN_MANAGEMENT is set."""
        return is_set(Directive.IGNORE_FUN_MANAGEMENT)


class Session:
    """Entry point for per-call settings, as Oinone's ``PamirsSession``."""

    def directive(self) -> DirectiveSession:
        """Return switches over the current directive set."""
        return DirectiveSession()


session = Session()
