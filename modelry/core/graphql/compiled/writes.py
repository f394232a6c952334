"""The compiled path for writes: `create`, `update` and `delete` without strawberry.

A mutation's plan (plan.py) is cached per document shape, as a query's is. Running it
reads the arguments as strawberry's conversion gives them to the general path's
resolvers (compiled/arguments.py's templates, then write_arguments.py's readers), calls
the write built-ins of calls/writes.py — the one place their rules run: refused client
values, permissions, hooks, extension points, validation, defaults, the optimistic lock —
and emits the selection from the record the write returned: INSERT … RETURNING, UPDATE … RETURNING
where the dialect has it (calls/writes.py reads the record again otherwise), never a
second read here. Values go through the same field rule (calls/reading.py) and wire
formats (scalars.to_wire) as the general path's.

Errors are what graphql-core makes of them: a call's `create`, `update` and `delete`
fields and their roots are non-null, so the first failure of a call (whatever it is) ends
the operation, located at that call, and the calls after it never run. That failure is
raised as `WriteFailed` for the executor to answer, after its transaction rolled back.
Before the first write, anything this path does not handle raises NotCompilable: the
general executor answers instead.
"""
from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, OperationDefinitionNode, get_named_type, located_error

from modelry.core.fields import ManyToOne
from modelry.core.graphql.calls.reading import field_reader
from modelry.core.graphql.calls.writes import create_builtin, delete_builtin, update_builtin
from modelry.core.graphql.compiled.arguments import Variables, argument_values, coerce_variables
from modelry.core.graphql.compiled.plan import BuiltinPlan, NotCompilable, OperationPlan, \
    RecordPlan
from modelry.core.graphql.compiled.write_arguments import WriteArguments
from modelry.core.graphql.scalars import to_wire


class WriteFailed(Exception):
    """A call of the operation failed: the error, located at that call."""

    def __init__(self, error: Exception, path: list[str], node: Any) -> None:
        super().__init__(str(error))
        self.located = located_error(error, [node], path)


class CompiledWrites:
    """Runs mutation plans of one generated schema."""

    def __init__(self, app: Any, schema: Any) -> None:
        self.app = app
        self.schema = schema
        self.arguments = WriteArguments()

    def run(self, plan: OperationPlan, operation: OperationDefinitionNode,
            variables: Variables) -> dict[str, Any]:
        """The `data` of the response; call inside the request's transaction."""
        graphql = self.schema.graphql
        coerced = coerce_variables(graphql, operation, variables)
        if isinstance(coerced, list):
            raise NotCompilable("variables need the general executor's errors")
        mutation_type = graphql.mutation_type
        roots = [(root, mutation_type.fields[root.root_field]) for root in plan.roots]
        if not all(_non_null(field, get_named_type(field.type).fields[call.builtin])
                   for root, field in roots for call in root.calls):
            raise NotCompilable("a nullable write field: errors would not end the operation")
        data: dict[str, Any] = {}
        for root, field in roots:
            root_type = get_named_type(field.type)
            data[root.key] = answers = {}
            for call in root.calls:
                try:
                    arguments = self._arguments(root_type.fields[call.builtin], call, coerced)
                    answers[call.key] = self._call(call, arguments, root_type.name)
                except Exception as error:  # noqa: BLE001 - located as graphql-core does
                    raise WriteFailed(error, [root.key, call.key], call.node) from None
        return data

    def _arguments(self, field: Any, call: BuiltinPlan, variables: Any) -> dict[str, Any]:
        """The call's arguments as its resolver would read them (by Python name)."""
        return self.arguments.read(field, argument_values(field, call.node, variables, call))

    def _call(self, call: BuiltinPlan, arguments: dict[str, Any], parent: str) -> Any:
        meta, records = call.meta, call.records
        if call.builtin == "delete":
            return [self._emit(records, record)  # type: ignore[arg-type]
                    for record in delete_builtin(self.app, meta, arguments["data_list"])]
        write = create_builtin if call.builtin == "create" else update_builtin
        record = write(self.app, meta, arguments["data"],
                       selected=[name for _, name, kind in self._emitter(records)
                                 if kind != "__typename"])
        if record is None:  # as graphql-core says it
            raise TypeError(f"Cannot return null for non-nullable field {parent}.{call.builtin}.")
        return self._emit(records, record)  # type: ignore[arg-type]

    def _emit(self, plan: RecordPlan, record: Any) -> dict[str, Any]:
        """The selected keys of `record`, as the general path emits them."""
        out: dict[str, Any] = {}
        read = field_reader(record)
        for key, name, kind in self._emitter(plan):
            out[key] = name if kind == "__typename" else to_wire(kind, read(name))
        return out

    def _emitter(self, plan: RecordPlan) -> list[tuple[str, str, str]]:
        """(response key, attribute, wire kind) per selected key; for __typename the type
        name in place of the attribute."""
        found = plan.attributes
        if found is None:
            found = []
            for item in plan.selected:
                field = item.field
                if item.kind == "typename":
                    found.append((item.key, item.type_name, "__typename"))
                elif isinstance(field, ManyToOne):  # its key, `<name>Id`
                    found.append((item.key, f"{field.name}_id", "many2one"))
                else:
                    found.append((item.key, field.name,  # type: ignore[union-attr]
                                  "biginteger" if field.name == "id"  # type: ignore
                                  else field.kind))  # type: ignore[union-attr]
            plan.attributes = found
        return found


def _non_null(root: Any, call: Any) -> bool:
    """Whether a root field and a write field under it are both non-null."""
    return isinstance(root.type, GraphQLNonNull) and isinstance(call.type, GraphQLNonNull)
