"""Parse and validate GraphQL documents once (LRU by text, bounded by the bytes of text it
holds), with depth/alias/token limits."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule

from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.shapes import Shape, Template, literal_variables, shape_of, template_of
from modelry.core.lru import LRU


@dataclass
class Checked:
    """A parsed document and the problems found (empty when it may run).

    A document from a template (shapes.py) comes with the request's literals as
    `variables`, and `key` names the template for caches of plans; `coerced` holds them
    as graphql-core coerced them (checking them), to be used when they are the operation's
    only variables.
    """

    document: DocumentNode | None
    errors: list[dict[str, Any]]
    variables: dict[str, Any] = field(default_factory=dict)
    key: Any = None
    coerced: Any = None  # graphql-core's VariableValues of `variables`


def _problem(message: str, code: str, error: GraphQLError | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": message, "extensions": {"code": code}}
    if error is not None and error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return entry


def _without_suggestions(message: str) -> str:
    head, _, _ = message.partition(" Did you mean")
    return head


class DocumentCache:
    """Checked documents of one schema, keyed by query text."""

    def __init__(self, schema: Any, settings: GraphQLSettings, capacity: int = 512) -> None:
        self.schema = schema
        self.settings = settings
        self.capacity = capacity
        budget = (settings.document_cache_bytes, settings.max_cached_document_bytes)
        self.rules = list(specified_rules)
        # Introspection is exempt from max_depth (its standard query, as GraphiQL sends it,
        # nests 15 deep); graphql-core's own rule bounds it instead.
        self.rules.append(MaxIntrospectionDepthRule if settings.introspection
                          else NoSchemaIntrospectionCustomRule)
        self._cache: LRU[Checked] = LRU(capacity, *budget)
        self._templates: LRU[Template | None] = LRU(capacity, *budget)

    def check(self, query: str) -> Checked:
        """Parse, limit and validate `query` (cached by text, then by shape)."""
        found = self._cache.get(query, None)
        if found is not None:
            return found
        shaped = shape_of(query, self.settings.max_tokens)
        template = None if shaped is None else self._templates.get(shaped[0], None)
        if template is not None:
            literals = literal_variables(self.schema, template, shaped[1])  # type: ignore
            if literals is not None:
                return Checked(template.document, [], literals[0], shaped[0],  # type: ignore
                               literals[1])
        checked = self._check(query)
        checked.key = query
        if shaped is not None and checked.document is not None and shaped[1] \
                and shaped[0] not in self._templates:
            self._templates.put(shaped[0], template_of(self.schema, checked.document),
                                weight_of(shaped[0]))
        self._cache.put(query, checked, weight_of(query))
        return checked

    def _check(self, query: str) -> Checked:
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            # graphql-core: "Document contains more than N tokens. Parsing aborted."
            code = "TOKEN_LIMIT" if "tokens. parsing aborted" in error.message.lower() \
                else "GRAPHQL_SYNTAX"
            return Checked(None, [_problem(error.message, code, error)])
        depth, aliases = measure(document)
        if depth > self.settings.max_depth:
            return Checked(None, [_problem(
                f"query depth {depth} is over the limit {self.settings.max_depth}",
                "DEPTH_LIMIT")])
        if aliases > self.settings.max_aliases:
            return Checked(None, [_problem(
                f"{aliases} aliases is over the limit {self.settings.max_aliases}",
                "ALIAS_LIMIT")])
        errors = validate(self.schema, document, self.rules, max_errors=20)
        if errors:
            return Checked(None, [_problem(_without_suggestions(e.message),
                                           "GRAPHQL_VALIDATION", e) for e in errors])
        return Checked(document, [])


def weight_of(key: str | Shape) -> int:
    """What caches weigh an entry made from this document text or shape by: its length in
    characters (a shape leaves its literals out, so it weighs its structure only)."""
    if isinstance(key, str):
        return len(key)
    return sum(1 + len(token[1] or "") if isinstance(token, tuple) else 2 for token in key)


def measure(document: DocumentNode) -> tuple[int, int]:
    """(deepest field nesting, number of aliases) over all operations, fragments followed.

    Each fragment is measured once and its result reused at every spread: walking spreads
    afresh would take exponential time on fragments that spread the next one twice.
    """
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    measured: dict[str, tuple[int, int]] = {}

    def walk(selection_set: Any, seen: frozenset[str]) -> tuple[int, int]:
        deepest = aliases = 0
        if selection_set is None:
            return deepest, aliases
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                depth, inner = walk(selection.selection_set, seen)
                if not selection.name.value.startswith("__"):  # introspection: see the rules
                    deepest = max(deepest, depth + 1)
                aliases += (selection.alias is not None) + inner
            elif isinstance(selection, InlineFragmentNode):
                depth, inner = walk(selection.selection_set, seen)
                deepest, aliases = max(deepest, depth), aliases + inner
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    if name not in measured:
                        measured[name] = walk(fragments[name].selection_set, seen | {name})
                    depth, inner = measured[name]
                    deepest, aliases = max(deepest, depth), aliases + inner
        return deepest, aliases

    deepest = aliases = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            depth, inner = walk(definition.selection_set, frozenset())
            deepest, aliases = max(deepest, depth), aliases + inner
    return deepest, aliases
