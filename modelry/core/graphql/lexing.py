"""A fast lexer for the common GraphQL text, giving exactly the tokens graphql-core's
Lexer gives, or None to leave the text to it.

`shapes.shape_of` cuts every request's text into tokens; graphql-core's Lexer does it
in Python character by character, which cost as much as a small write. One regular
expression covers what clients send: punctuators, names, numbers, comments, and strings
without escapes. Anything else — an escape, a block string, a character outside those —
returns None and the Lexer decides, so the two can never disagree on what is valid.
"""
from __future__ import annotations

import re
from typing import Any

from graphql.language import TokenKind

PUNCTUATORS = {"!": TokenKind.BANG, "$": TokenKind.DOLLAR, "&": TokenKind.AMP,
               "(": TokenKind.PAREN_L, ")": TokenKind.PAREN_R, "...": TokenKind.SPREAD,
               ":": TokenKind.COLON, "=": TokenKind.EQUALS, "@": TokenKind.AT,
               "[": TokenKind.BRACKET_L, "]": TokenKind.BRACKET_R, "{": TokenKind.BRACE_L,
               "|": TokenKind.PIPE, "}": TokenKind.BRACE_R}
TOKEN = re.compile(r"""
    [ \t\n\r,\ufeff]+ | \#[^\n\r]*                              # ignored
  | (?P<punctuator>\.\.\.|[!$&():=@\[\]{|}])
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<number>-?(?:0|[1-9][0-9]*)(?P<float>(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
               (?![._A-Za-z0-9]))                            # as the Lexer: no tail
  | "(?P<string>[^"\\\x00-\x08\x0a-\x1f\x7f]*)"(?!")             # no escapes, not a block
  | (?P<other>.)""", re.VERBOSE | re.DOTALL)


def tokens(text: str, max_tokens: int) -> list[tuple[TokenKind, Any]] | None:
    """(kind, value) of every token of `text` as graphql-core's Lexer reads them (value:
    the name, the number's text, the string; None for punctuators); None when the text
    needs the Lexer or holds more than `max_tokens` tokens."""
    found: list[tuple[TokenKind, Any]] = []
    for match in TOKEN.finditer(text):
        group = match.lastgroup
        if group is None:
            continue  # whitespace, commas, comments
        if group == "punctuator":
            found.append((PUNCTUATORS[match.group(group)], None))
        elif group == "name":
            found.append((TokenKind.NAME, match.group(group)))
        elif group in ("number", "float"):
            kind = TokenKind.FLOAT if match.group("float") else TokenKind.INT
            found.append((kind, match.group("number")))
        elif group == "string":
            found.append((TokenKind.STRING, match.group(group)))
        else:
            return None
        if len(found) > max_tokens:
            return None
    return found
