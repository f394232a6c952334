"""The literals found by one regular expression (lexing.py) are graphql-core's literal
tokens, and texts of one shape differ only in the values of those literals."""
from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError
from graphql.language import Lexer, Source, TokenKind
from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.core.graphql import lexing
from modelry.core.graphql.shapes import _lexed_shape, shape_of

PIECES = ["{", "}", "(", ")", "[", "]", ":", "!", "$", "@", "=", "|", "&", "...", "..", ".",
          " ", "\t", "\n", "\r", ",", "#c\n", "\ufeff", "\u00a0", "\x0b", "name", "_x9",
          "0", "01", "-", "-0", "12", "1.5", "1.", ".5", "1e3", "2E-7", "1a", "é", "\"",
          "\"s\"", "\"é ✓\"", "\"\\n\"", "\"\\u00e9\"", "\"\"\"b\"\"\"", "\"\t\"", "\x00",
          "\x7f", "\"\x01\"", "\"\"", "a5", "5a", "x.5", "-\"7\"", "-7", "--"]
# distinct literals of each kind; negative numbers: a `-` starts a number wherever it stands
STAND_INS = {lexing.STRING: '"§{}"', lexing.INT: "-90000{}", lexing.FLOAT: "-9.{}e90"}
STAND_IN_VALUES = {lexing.STRING: "§{}", lexing.INT: "-90000{}", lexing.FLOAT: "-9.{}e90"}
LITERAL_KINDS = {TokenKind.STRING: lexing.STRING, TokenKind.INT: lexing.INT,
                 TokenKind.FLOAT: lexing.FLOAT}
READ = {TokenKind.STRING: str, TokenKind.INT: int, TokenKind.FLOAT: float}


def lexer_tokens(text: str) -> list[tuple[Any, Any]] | None:
    """graphql-core's tokens of `text`, None when it refuses the text."""
    lexer = Lexer(Source(text))
    found = []
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            found.append((token.kind, token.value))
            token = lexer.advance()
    except GraphQLError:
        return None
    return found


def with_stand_ins(shape: str) -> tuple[str, list[tuple[str, str]]]:
    """A text of `shape` whose literals are distinct stand-ins, and (kind, Lexer value) of
    each."""
    marks = re.compile("|".join(map(re.escape, STAND_INS)))
    placed: list[tuple[str, str]] = []

    def stand_in(match: re.Match[str]) -> str:
        kind = match.group(0)
        placed.append((kind, STAND_IN_VALUES[kind].format(len(placed))))
        return STAND_INS[kind].format(len(placed) - 1)
    return marks.sub(stand_in, shape), placed


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_literals_are_the_lexers_and_a_shape_fixes_all_but_their_values(
        pieces: list[str]) -> None:
    """Each literal found is a literal token of the Lexer, and another text of the same
    shape lexes to the same tokens but at those literals: where the split found them."""
    text = "".join(pieces)
    found = lexing.literals(text)
    tokens = lexer_tokens(text)
    if found is None:
        assert shape_of(text, 1000) == _lexed_shape(text, 1000)
        return
    if tokens is None:
        return  # the Lexer refuses it, so no valid document has its shape
    shape, values = found
    other, placed = with_stand_ins(shape)
    assert lexing.literals(other) == (shape, [READ[{v: k for k, v in LITERAL_KINDS.items()}[
        kind]](value) for kind, value in placed]), other
    other_tokens = lexer_tokens(other)
    assert other_tokens is not None and len(other_tokens) == len(tokens), other
    at = [index for index, (kind, value) in enumerate(other_tokens)
          if kind in LITERAL_KINDS and (LITERAL_KINDS[kind], value) in placed]
    assert [(LITERAL_KINDS[other_tokens[i][0]], other_tokens[i][1]) for i in at] == placed
    assert [(LITERAL_KINDS[tokens[i][0]], READ[tokens[i][0]](tokens[i][1])) for i in at] == \
        list(zip([kind for kind, _ in placed], values)), text
    assert [t for i, t in enumerate(other_tokens) if i not in at] == \
        [t for i, t in enumerate(tokens) if i not in at], other


def test_what_clients_send_takes_the_fast_way() -> None:
    text = ('mutation { petTagMutation { create(data: {name: "Rex ✓", n: -12, f: 1.5e-3}) '
            '{ id name } } }')
    shape, values = lexing.literals(text)  # type: ignore[misc]
    assert values == ["Rex ✓", -12, 0.0015]
    assert shape == ('mutation { petTagMutation { create(data: {name: \x00String\x00, '
                     'n: \x00Int\x00, f: \x00Float\x00}) { id name } } }')
    assert shape_of(text, 1000) == (shape, values)


def test_escapes_comments_and_block_strings_are_the_lexers() -> None:
    for text in ['{ a(s: "\\n") }', '{ a } # note', '{ a(s: """b""") }', '{ a(s: "\x00") }']:
        assert lexing.literals(text) is None
        assert shape_of(text, 1000) == _lexed_shape(text, 1000)


def test_the_token_limit_is_the_lexers() -> None:
    text = "{ a b c } # 5 tokens"
    assert shape_of(text, 4) is None and _lexed_shape(text, 4) is None
    assert shape_of(text, 5) == _lexed_shape(text, 5)
