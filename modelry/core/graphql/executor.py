"""Run one GraphQL request: one transaction, client directives, the protocol envelope."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

from graphql import ExecutionResult, FieldNode, OperationDefinitionNode, OperationType, execute
from graphql.execution.values import VariableValues

from modelry import directives
from modelry.core.context import requesting
from modelry.core.data.transaction import WouldBlock, nonblocking
from modelry.core.graphql.compiled.database_json import Fetched, Read
from modelry.core.graphql import statements
from modelry.core.graphql.compiled.run import CompiledPath
from modelry.core.graphql.compiled.plan import NotCompilable
from modelry.core.graphql.compiled.writes import WriteFailed
from modelry.core.graphql.context import GraphQLSettings, RequestContext
from modelry.core.graphql.documents import Checked, DocumentCache
from modelry.core.graphql.protocol import (
    GraphQLRequest,
    ProtocolError,
    envelope,
    error_messages,
    parse_request,
    protocol_error_body,
)
from modelry.core.graphql.schema.generated import GeneratedSchema
from modelry.core.messages import collecting as collecting_messages
from modelry.core.security import tokens
from modelry.core.security.identity import acting, current_identity


@dataclass
class Response:
    """What the HTTP layer sends back."""

    status: int
    body: dict[str, Any]
    statements: int = 0


@dataclass
class Parsed:
    """What the event loop read of a request it leaves to a worker thread (http/direct/),
    so that `run` does not parse and check it again."""

    request: GraphQLRequest | None
    checked: Checked | None = None


class _Rollback(Exception):
    """Leave the request's transaction without committing."""

    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("rollback")
        self.result = result


class Executor:
    """Runs requests against one app's generated schema."""

    def __init__(self, app: Any, settings: GraphQLSettings) -> None:
        self.app = app
        self.settings = settings
        self.schema = GeneratedSchema(app.registry)
        self.documents = DocumentCache(self.schema.graphql, settings)
        self.compiled = CompiledPath(app, self.schema, settings)
        statements.install(app.engine)

    def run(self, body: bytes | dict[str, Any], *, get: bool = False,
            authorization: str | None = None, parsed: Parsed | None = None) -> Response:
        """Answer one request body (GET requests may only query) for the caller named by
        the `Authorization` header; without one, the identity of the calling context
        (anonymous for HTTP requests). `parsed`: the body as `run_direct` read it."""
        with statements.counting() as counted:
            try:
                request = parse_request(body) if parsed is None or parsed.request is None \
                    else parsed.request
                try:
                    identity = current_identity() if authorization is None else \
                        tokens.identity_for(self.app, authorization)
                except tokens.Unauthenticated as error:
                    raise ProtocolError(error.message, error.code, 401) from None
                with acting(identity), requesting():
                    response = self._run(request, get, tokens.bearer_token(authorization),
                                         parsed.checked if parsed is not None else None)
            except ProtocolError as error:
                response = Response(error.status, protocol_error_body(error))
        response.statements = counted[0]
        return response

    def _run(self, request: GraphQLRequest, get: bool, token: str | None = None,
             checked: Checked | None = None) -> Response:
        if checked is None:
            checked = self.documents.check(request.query)
        if checked.document is None:
            messages = [{"level": "ERROR", "message": e["message"],
                         "code": e["extensions"]["code"], "model": None, "field": None,
                         "path": None} for e in checked.errors]
            return Response(200, envelope(None, checked.errors, messages, request.strategy))
        operation = _operation(checked.document, request.operation_name)
        if get and operation.operation is not OperationType.QUERY:
            raise ProtocolError("only queries may be sent with GET", "METHOD_NOT_ALLOWED", 405)
        if self.settings.compiled and operation.operation is OperationType.MUTATION:
            answer = self._compiled_write(request, checked, operation)
            if answer is not None:
                return answer
        elif self.settings.compiled:
            data = self._compiled(request, checked, operation)
            if data is not None:
                return Response(200, envelope(None if request.strategy.only_validate else data,
                                              [], [], request.strategy))
        if checked.variables:  # the literals of a document checked by its shape
            request = replace(request, variables={**request.variables, **checked.variables})
        context = RequestContext(self.app, self.settings, token=token)
        readonly: bool | None = operation.operation is OperationType.QUERY
        if not readonly and not request.strategy.only_validate and \
                self._own_transaction(operation):
            readonly = None  # its functions open their own transactions
        result = self._execute(checked.document, request, context, readonly)
        errors, messages = [], list(context.messages)
        for error in result.errors or ():
            entry, more = error_messages(error)
            errors.append(entry)
            messages.extend(more)
        rolled_back = errors and operation.operation is OperationType.MUTATION
        data = None if request.strategy.only_validate or rolled_back else result.data
        return Response(200, envelope(data, errors, messages, request.strategy))

    def _compiled(self, request: GraphQLRequest, checked: Checked,
                  operation: OperationDefinitionNode) -> dict[str, Any] | None:
        """`data` from the compiled path, or None to use the general executor."""
        plan = self.compiled.plan(checked.key, checked.document, operation)
        if plan is None:
            return None
        try:
            with directives.client_scope(), self.app.transaction(readonly=True) as connection:
                return self.compiled.run(plan, operation,
                                         _variables(request, checked, operation), connection)
        except Exception:  # noqa: BLE001 - the general executor reports errors as usual
            return None

    async def run_direct(self, body: bytes, authorization: str | None,
                         fetch: Callable[[Read], Awaitable[Fetched]]) -> Response:
        """Answer a query on the compiled path in the event loop, `fetch` running its
        statements; WouldBlock when anything needs a worker thread instead (a write, no
        plan, a cache that must read the database, any error: `run` answers those), its
        `parsed` what was read of the request by then."""
        parsed = Parsed(None)
        try:
            return await self._run_direct(body, authorization, fetch, parsed)
        except WouldBlock as declined:
            declined.parsed = parsed if parsed.request is not None else None  # type: ignore
            raise

    async def _run_direct(self, body: bytes, authorization: str | None,
                          fetch: Callable[[Read], Awaitable[Fetched]], parsed: Parsed
                          ) -> Response:
        with nonblocking(), self.app.activate(), statements.counting() as counted:
            try:
                request = parsed.request = parse_request(body)
                identity = current_identity() if authorization is None else \
                    tokens.identity_for(self.app, authorization)
            except (ProtocolError, tokens.Unauthenticated) as error:
                raise WouldBlock("run answers protocol errors") from error
            with acting(identity), requesting(), directives.client_scope():
                checked = parsed.checked = self.documents.check(request.query)
                if checked.document is None or not self.settings.compiled:
                    raise WouldBlock("not a compiled read")
                operation = _operation(checked.document, request.operation_name)
                plan = self.compiled.plan(checked.key, checked.document, operation) \
                    if operation.operation is OperationType.QUERY else None
                if plan is None or not all(call.in_database for root in plan.roots
                                           for call in root.calls):
                    raise WouldBlock("not a compiled read the database answers in JSON")
                try:
                    steps = self.compiled.steps(
                        plan, operation, _variables(request, checked, operation), None)
                    read = next(steps)
                    while True:
                        counted[0] += 1
                        try:
                            fetched = await fetch(read)
                        except Exception as error:  # noqa: BLE001 - raised where asked
                            read = steps.throw(error)
                        else:
                            read = steps.send(fetched)
                except StopIteration as done:
                    data = done.value
                except Exception as error:  # the general executor answers, errors included
                    raise WouldBlock("the general executor answers") from error
                body = envelope(None if request.strategy.only_validate else data, [], [],
                                request.strategy)
        return Response(200, body, counted[0])

    def _compiled_write(self, request: GraphQLRequest, checked: Checked,
                        operation: OperationDefinitionNode) -> Response | None:
        """The answer of the compiled path for writes, or None to use the general executor
        (decided before anything is written). A failed write is answered here, located
        and worded as the general executor does, after the transaction rolled back."""
        plan = self.compiled.plan(checked.key, checked.document, operation)
        if plan is None:
            return None
        messages: list[Any] = []
        try:
            with directives.client_scope(), collecting_messages(messages), \
                    self.app.transaction():
                data = self.compiled.writes.run(plan, operation,
                                                _variables(request, checked, operation))
                if request.strategy.only_validate:
                    raise _Rollback(ExecutionResult(None))
        except _Rollback:
            data = None
        except WriteFailed as failed:
            entry, more = error_messages(failed.located)
            return Response(200, envelope(None, [entry], messages + more, request.strategy))
        except NotCompilable:
            return None
        return Response(200, envelope(data, [], messages, request.strategy))

    def _own_transaction(self, operation: OperationDefinitionNode) -> bool:
        """Whether a mutation holds only calls of `own_transaction` functions."""
        own = self.schema.own_transaction
        roots = operation.selection_set.selections
        return bool(roots) and all(
            isinstance(root, FieldNode) and root.name.value in own
            and root.selection_set is not None and all(
                isinstance(field, FieldNode) and field.name.value in own[root.name.value]
                for field in root.selection_set.selections)
            for root in roots)

    def _execute(self, document: Any, request: GraphQLRequest, context: RequestContext,
                 readonly: bool | None) -> ExecutionResult:
        """Execute in one transaction with client directives; any error rolls it all back.
        `readonly=None`: outside a transaction (a mutation of own-transaction functions)."""
        with directives.client_scope(), collecting_messages(context.messages):
            if readonly is None:
                return execute(self.schema.graphql, document, context_value=context,
                               variable_values=request.variables,
                               operation_name=request.operation_name)
            try:
                with self.app.transaction(readonly=readonly):
                    result = execute(self.schema.graphql, document, context_value=context,
                                     variable_values=request.variables,
                                     operation_name=request.operation_name)
                    if result.errors or request.strategy.only_validate:
                        raise _Rollback(result)
            except _Rollback as rollback:
                return rollback.result
        return result


def _variables(request: GraphQLRequest, checked: Checked,
               operation: OperationDefinitionNode) -> dict[str, Any] | VariableValues:
    """The request's variables for the compiled path: as the document check coerced them
    when they are the operation's only ones (its literals), else as sent with the
    document's literals."""
    if checked.coerced is not None and \
            len(operation.variable_definitions or ()) == len(checked.variables):
        return checked.coerced  # type: ignore[no-any-return]
    if checked.variables:
        return {**request.variables, **checked.variables}
    return request.variables


def _operation(document: Any, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        raise ProtocolError(f"no operation named {name!r} in the document", "BAD_REQUEST")
    if len(operations) != 1:
        raise ProtocolError("several operations in the document: give operationName",
                            "BAD_REQUEST")
    return operations[0]
