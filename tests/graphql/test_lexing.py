"""The fast lexer gives exactly graphql-core's tokens, or hands the text to it."""
from __future__ import annotations

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
          "\x7f", "\"\x01\""]


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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_fast_lexer_agrees_with_graphql_core_or_passes(pieces: list[str]) -> None:
    text = "".join(pieces)
    quick = lexing.tokens(text, 1000)
    if quick is not None:
        assert quick == lexer_tokens(text), text
    assert shape_of(text, 1000) == _lexed_shape(text, 1000)


def test_what_clients_send_takes_the_fast_way() -> None:
    documents = [
        'mutation { petTagMutation { create(data: {name: "Rex ✓", n: -12, f: 1.5e-3}) '
        '{ id name } } }',
        "query Q($id: Long!) { petShopQuery { queryOne(query: {id: $id}) { ...f } } }\n"
        "fragment f on PetShop { id name @include(if: true) } # trailing comment",
    ]
    for text in documents:
        assert lexing.tokens(text, 1000) == lexer_tokens(text)


def test_the_token_limit_is_the_lexers() -> None:
    text = "{ a b c }"  # 5 tokens
    assert lexing.tokens(text, 5) is not None and lexing.tokens(text, 4) is None
    assert shape_of(text, 4) is None and _lexed_shape(text, 4) is None
    assert shape_of(text, 5) == _lexed_shape(text, 5)
