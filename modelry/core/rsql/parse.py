"""Text → nodes: the lark parser with an inline transformer, limits, and a parse cache."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from modelry.core.rsql.errors import (
    RsqlArgumentError,
    RsqlSyntaxError,
    RsqlTooDeep,
    RsqlTooLong,
    RsqlTooManyValues,
    RsqlUnknownOperator,
)
from modelry.core.rsql.grammar import GRAMMAR, TERMINAL_NAMES
from modelry.core.rsql.limits import DEFAULT_LIMITS, RsqlLimits
from modelry.core.rsql.nodes import (
    And,
    Argument,
    Comparison,
    Group,
    Node,
    Or,
    Placeholder,
    Value,
    comparisons,
)
from modelry.core.rsql.operators import OPERATORS, canonical
from modelry.core.rsql.path_length import check_segments
from modelry.core.lru import LRU

PLACEHOLDER = re.compile(r"\$#\{([A-Za-z_][A-Za-z0-9_.]*)\}")


@dataclass(frozen=True, slots=True)
class _ValueList:
    values: tuple[Argument, ...]
    position: int


class _Builder(Transformer):
    """Builds nodes while lark reduces (no tree, no recursion)."""

    def disjunction(self, children: list[Node]) -> Or:
        return Or(tuple(children), children[0].position, max(c.depth for c in children))

    def conjunction(self, children: list[Node]) -> And:
        return And(tuple(children), children[0].position, max(c.depth for c in children))

    def group(self, children: list) -> Group:
        lpar, child = children
        return Group(child, lpar.start_pos, child.depth + 1)

    def comparison(self, children: list) -> Comparison:
        selector, operator, arguments = children
        name = canonical(str(operator))
        if name is None:
            raise RsqlUnknownOperator(
                f"unknown operator {str(operator)!r}; known: {', '.join(OPERATORS)}, <, <=, >, >=",
                position=operator.start_pos, field=str(selector))
        listed = isinstance(arguments, _ValueList)
        if listed and not OPERATORS[name].takes_list:
            raise RsqlArgumentError(f"operator {name} takes one value, not a list",
                                    position=arguments.position, field=str(selector))
        values = arguments.values if listed else (arguments,)
        return Comparison(str(selector), name, values, listed, selector.start_pos,
                          operator.start_pos)

    def value_list(self, children: list) -> _ValueList:
        return _ValueList(tuple(children[1:]), children[0].start_pos)

    def bare(self, children: list[Token]) -> Argument:
        token = children[0]
        text = str(token)
        if text.startswith("$#{"):
            match = PLACEHOLDER.fullmatch(text)
            if match is None:
                raise RsqlSyntaxError(f"malformed placeholder {text!r}: write $#{{name}}",
                                      position=token.start_pos)
            return Placeholder(match.group(1), token.start_pos)
        stars = tuple(i for i, char in enumerate(text) if char == "*")
        return Value(text, token.start_pos, False, stars)

    def quoted(self, children: list[Token]) -> Value:
        token = children[0]
        text, stars = _unquote(str(token)[1:-1])
        return Value(text, token.start_pos, True, stars)


def _unquote(body: str) -> tuple[str, tuple[int, ...]]:
    """Drop backslash escapes; an unescaped `*` is a wildcard, `\\*` a literal star."""
    if "\\" not in body:
        return body, tuple(i for i, char in enumerate(body) if char == "*")
    chars: list[str] = []
    stars: list[int] = []
    escaped = False
    for char in body:
        if escaped:
            chars.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            if char == "*":
                stars.append(len(chars))
            chars.append(char)
    return "".join(chars), tuple(stars)


@functools.cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", transformer=_Builder(),
                maybe_placeholders=False)


# parsed filters, weighed by their length: a flood of long unique filters evicts
# entries instead of growing the process (lru.py)
_parsed: LRU[Node] = LRU(2048, max_weight=256_000, max_entry_weight=2048)


def parse(text: str, limits: RsqlLimits = DEFAULT_LIMITS) -> Node:
    """Parse an RSQL filter (cached on text and limits); RsqlError when it is refused."""
    if not isinstance(text, str):
        raise RsqlSyntaxError(f"an RSQL filter is a string, not {type(text).__name__}")
    node = _parsed.get((text, limits), None)
    if node is None:
        node = parse_uncached(text, limits)
        _parsed.put((text, limits), node, len(text))
    return node


def parse_uncached(text: str, limits: RsqlLimits = DEFAULT_LIMITS) -> Node:
    """`parse` without the cache."""
    if len(text) > limits.max_length:
        raise RsqlTooLong(f"filter is {len(text)} characters long; the limit is "
                          f"{limits.max_length}", position=limits.max_length)
    if "\x00" in text:
        raise RsqlSyntaxError("the NUL character is not allowed", position=text.index("\x00"))
    if not text.strip():
        raise RsqlSyntaxError("empty filter", position=0)
    try:
        node = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    except LarkError as error:  # defensive: any other parser failure is a syntax error
        raise RsqlSyntaxError(f"cannot parse filter: {error}", position=0) from None
    _check_limits(node, limits)
    return node


def _syntax_error(text: str, error: UnexpectedInput) -> RsqlSyntaxError:
    if isinstance(error, UnexpectedToken):
        token = error.token
        at_end = token.type == "$END"
        position = len(text) if at_end else (token.start_pos or 0)
        found = "the end of the filter" if at_end else repr(str(token))
        expected = _names(error.expected)
    elif isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        if text[position] in "\"'":
            return RsqlSyntaxError("unterminated quoted value", position=position)
        found = repr(text[position])
        expected = _names(error.allowed or ())
    else:
        position = len(text)
        found, expected = "the end of the filter", []
    hint = f"; expected {expected}" if expected else ""
    return RsqlSyntaxError(f"unexpected {found}{hint}", position=position)


def _names(terminals: object) -> str:
    names = sorted({TERMINAL_NAMES.get(name, name) for name in terminals})  # type: ignore
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _check_limits(node: Node, limits: RsqlLimits) -> None:
    if node.depth > limits.max_depth:
        raise RsqlTooDeep(f"parentheses nest {node.depth} deep; the limit is {limits.max_depth}",
                          position=_first_too_deep(node, limits.max_depth))
    for comparison in comparisons(node):
        check_segments(comparison, limits.max_path_hops)
        if len(comparison.arguments) > limits.max_in_items:
            raise RsqlTooManyValues(
                f"{comparison.operator} lists {len(comparison.arguments)} values; the limit is "
                f"{limits.max_in_items}", position=comparison.arguments[0].position,
                field=comparison.selector)


def _first_too_deep(node: Node, max_depth: int) -> int:
    """Position of the first '(' that opens level max_depth + 1 on the deepest branch."""
    level = 0
    while True:
        if isinstance(node, Group):
            level += 1
            if level > max_depth:
                return node.position
            node = node.child
        elif isinstance(node, (And, Or)):
            node = max(node.children, key=lambda child: child.depth)
        else:  # unreachable when depth > max_depth
            return node.position
