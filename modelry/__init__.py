"""modelry: declare models once in a module; get tables, an API, metadata and a safe boot.

Public API for business modules::

    from modelry import Module, Model, fields, relations

`transaction()` opens a transaction of the running application (a savepoint inside an
open one), `in_transaction()` tells whether one is open; `current_user_id()` is the user
the current call acts for, and `confirm_password(password)` checks that user's password
again; `GroupCommit` merges concurrent calls into one transaction.
"""
from modelry import directives
from modelry.core import fields, messages
from modelry.core.context import current_user_id, transaction
from modelry.core.data.group_commit import GroupCommit
from modelry.core.data.transaction import in_transaction
from modelry.core.numbers import Long
from modelry.core.rsql import DEFAULT_LIMITS as _RSQL_LIMITS
from modelry.core.rsql import any_of
from modelry.core.data.page import Page
from modelry.core.fields import commands as relations
from modelry.core.functions import Call, action, ext_point, function, hook
from modelry.core.http.endpoints import HttpRequest, HttpResponse, endpoint
from modelry.core.model import Model
from modelry.core.security.reauth import PasswordNotConfirmed, confirm_password
from modelry.core.module import Module
from modelry.core.tasks.contract import TaskInfo, TaskState
from modelry.core.tasks.contract import current as current_task
from modelry.core.tasks.schedule import schedule
from modelry.errors import (
    ConditionFailed,
    DataError,
    DeclarationError,
    ForeignKeyViolation,
    IntegrityViolation,
    ModelryError,
    ModuleError,
    OptimisticLockError,
    NotNullViolation,
    RecordNotFound,
    RecordReferenced,
    UniqueViolation,
    ValidationFailed,
)

__version__ = "0.1.0"

__all__ = [
    "Call", "action", "ext_point", "function", "hook",
    "HttpRequest", "HttpResponse", "endpoint",
    "ConditionFailed",
    "DataError",
    "DeclarationError",
    "ForeignKeyViolation",
    "IntegrityViolation",
    "Model",
    "ModelryError",
    "Module",
    "ModuleError",
    "OptimisticLockError",
    "Page",
    "NotNullViolation",
    "RecordNotFound",
    "RecordReferenced",
    "UniqueViolation",
    "ValidationFailed",
    "TaskInfo",
    "TaskState",
    "current_task",
    "schedule",
    "directives",
    "current_user_id",
    "confirm_password",
    "PasswordNotConfirmed",
    "transaction",
    "in_transaction",
    "GroupCommit",
    "Long",
    "MAX_IN_ITEMS",
    "any_of",
    "messages",
    "fields",
    "relations",
]

# The most values one `__in` filter (or RSQL list) may hold; longer lists are split, e.g.
# into the groups of `any_of`.
MAX_IN_ITEMS: int = _RSQL_LIMITS.max_in_items
