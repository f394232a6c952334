"""Documents that differ only in their literal values share one checked template.

Clients often write values into the document (`create(data: {name: "Rex"})`), so every
request is a new text and parsing plus validation would cost more than the work asked
for. The text is cut into tokens; its shape is the tokens with the values of string and
number literals left out. The first valid document of a shape becomes a template in
which each literal is a variable (`$__literal0: String!`, typed by where it stands);
later documents of the shape are only tokenised, their literals sent as those variables.
A value the variable's type refuses sends the text the full way, so errors read the same.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Tuple, Union

from graphql import (
    DocumentNode,
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    visit,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource, get_variable_values
from graphql.pyutils import Undefined
from graphql.utilities import coerce_input_value
from graphql.language import Lexer, Source, TokenKind

from modelry.core.graphql import lexing

PREFIX = "__literal"
LITERALS = {TokenKind.STRING: str, TokenKind.BLOCK_STRING: str, TokenKind.INT: int,
            TokenKind.FLOAT: float}
# shapes are dict keys hashed several times per request: a token kind in them is its text
# (TokenKind hashes in Python, a str in C), looked up by the member's id
KIND_TEXT = {id(kind): kind.value for kind in TokenKind}
LITERALS_BY_ID = {id(kind): convert for kind, convert in LITERALS.items()}
Shape = Union[str, Tuple[Any, ...]]  # lexing.py's text, or the Lexer's tokens


@dataclass(frozen=True)
class Template:
    """A validated document whose literals are variables, their definitions, and their
    signatures as graphql-core reads the definitions (None: graphql-core coerces them)."""

    document: DocumentNode
    definitions: tuple[VariableDefinitionNode, ...]
    signatures: tuple[Any, ...] | None = None


def shape_of(query: str, max_tokens: int) -> tuple[Shape, list[Any]] | None:
    """(shape, literal values in order) of `query`; None when it does not lex or is long
    (lexing.py finds the literals of most texts: its shapes are text, the Lexer's tuples)."""
    quick = lexing.literals(query)
    if quick is not None:
        return quick  # type: ignore[return-value]
    return _lexed_shape(query, max_tokens)


def _lexed_shape(query: str, max_tokens: int) -> tuple[Shape, list[Any]] | None:
    """`shape_of` by graphql-core's Lexer (any text)."""
    lexer = Lexer(Source(query))
    key: list[Any] = []
    values: list[Any] = []
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            if len(key) >= max_tokens:
                return None
            convert = LITERALS_BY_ID.get(id(token.kind))
            if convert is None:
                key.append((KIND_TEXT[id(token.kind)], token.value))
            else:
                key.append(KIND_TEXT[id(token.kind)])
                values.append(convert(token.value))  # as graphql-core reads the literal
            token = lexer.advance()
    except GraphQLError:
        return None
    return tuple(key), values


def template_of(schema: Any, document: DocumentNode) -> Template | None:
    """`document` (valid) with its literals made variables; None when that cannot be done
    faithfully: several operations, literals in variable defaults, variables named like
    ours, untyped positions."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or any(d.default_value is not None
                                   or d.variable.name.value.startswith(PREFIX)
                                   for d in operations[0].variable_definitions or ()):
        return None  # (a variable named like ours would clash with them)
    type_info = TypeInfo(schema)
    replacer = _Replacer(type_info)
    edited = visit(document, TypeInfoVisitor(type_info, replacer))
    if replacer.failed:
        return None
    definitions = tuple(replacer.definitions)
    if replacer.starts != sorted(replacer.starts):  # numbered in text order, as lexed
        return None
    if not definitions:
        return Template(document, ())
    signatures = tuple(get_variable_signature(schema, d) for d in definitions)
    rewritten = [
        OperationDefinitionNode(
            operation=d.operation, name=d.name, directives=d.directives,
            selection_set=d.selection_set,
            variable_definitions=(*(d.variable_definitions or ()), *definitions))
        if isinstance(d, OperationDefinitionNode) else d
        for d in edited.definitions]
    return Template(DocumentNode(definitions=tuple(rewritten)), definitions,
                    None if any(isinstance(signature, GraphQLError) for signature in signatures)
                    else signatures)


def literal_variables(schema: Any, template: Template, values: list[Any]
                      ) -> tuple[dict[str, Any], VariableValues] | None:
    """The literals as the template's variables, as sent and as coerced; None when a value
    does not fit its type."""
    sent = {f"{PREFIX}{index}": value for index, value in enumerate(values)}
    if len(sent) != len(template.definitions):
        return None
    coerced = _coerced(template.signatures, sent) if template.signatures is not None else None
    if coerced is None:  # graphql-core decides, and words what it refuses
        coerced = get_variable_values(schema, template.definitions, sent)
    return None if isinstance(coerced, list) else (sent, coerced)


def _coerced(signatures: tuple[Any, ...], sent: dict[str, Any]) -> VariableValues | None:
    """`sent` coerced as graphql-core's get_variable_values coerces values given for each
    of these signatures (no defaults, no nulls: literals), without reading the definitions
    again; None when a value does not fit its type."""
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    for signature in signatures:
        value = sent[signature.name]
        result = coerce_input_value(value, signature.type)
        if result is Undefined:
            return None
        sources[signature.name] = VariableValueSource(signature, value)
        coerced[signature.name] = result
    return VariableValues(sources, coerced)


class _Replacer(Visitor):
    """Turns each literal into `$__literal<n>`, n counting literals in text order."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[VariableDefinitionNode] = []
        self.failed = False
        self.starts: list[int] = []

    def _replace(self, node: Any) -> Any:
        expected = self.type_info.get_input_type()
        if expected is None or node.loc is None:
            self.failed = True
            return None
        name = NameNode(value=f"{PREFIX}{len(self.definitions)}")
        self.definitions.append(VariableDefinitionNode(
            variable=VariableNode(name=name), type=parse_type(str(expected)), directives=()))
        self.starts.append(node.loc.start)
        return VariableNode(name=name)

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        return self._replace(node)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> Any:
        return self._replace(node)

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> Any:
        return self._replace(node)
