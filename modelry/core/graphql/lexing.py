"""A document's literals, found by one pass of a regular expression (for shapes.py).

`shapes.shape_of` needs, for every request, the document's text without the values of
its literals (its shape) and those values. graphql-core's Lexer reads the text character
by character in Python, which cost as much as a small write, and even a token-by-token
regular expression looped in Python over every token (about 50 in a small document).
Here one `split` finds only the string and number literals, so Python runs once per
literal; the shape keeps the rest of the text as it is, and each literal's kind.

Why this agrees with the Lexer wherever it answers: a text holding an escape, a comment
or a block string (where a quote or a digit need not start a token), a number right after
a spread (never valid), or a NUL (which marks the literals' kinds in a shape) is left to
it (None). In any other text the Lexer reads, every `"` opens a string without escapes
that the pattern takes whole (any character but a line break, as the Lexer), a `-` always
starts a number (as in the Lexer), and a number without one is taken only where no name
character, dot or `-` comes before it and none after it; so the text between literals
holds no quote, and texts of one shape differ only in the values of literals of the same
kinds at the same places. The layout (whitespace, commas) is part of the shape: a document
laid out anew is checked the full way once.
"""
from __future__ import annotations

import re
from typing import Any

LITERAL = re.compile(r"""
    "([^"\\\r\n]*)"                                # a string without escapes: the Lexer's
  | ((?:-|(?<![-_0-9A-Za-z.]))(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)(?![._A-Za-z0-9])
""", re.VERBOSE)
# an escape, a comment, a block string, a number after a spread, a NUL (it marks kinds)
LEFT_TO_THE_LEXER = re.compile(r'\\|#|"""|\.\.[-0-9]|\x00')
STRING, INT, FLOAT = "\x00String\x00", "\x00Int\x00", "\x00Float\x00"  # kinds in a shape


def literals(text: str) -> tuple[str, list[Any]] | None:
    """(shape, the literals' values in text order: strings as str, integers as int,
    floats as float), or None when the text needs graphql-core's Lexer."""
    if LEFT_TO_THE_LEXER.search(text):
        return None
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the Lexer refuses it in a string
        return None
    parts = LITERAL.split(text)
    if len(parts) == 1:
        return text, []
    shape = [parts[0]]
    values: list[Any] = []
    for index in range(1, len(parts), 5):
        string, number, fraction, exponent, after = parts[index:index + 5]
        if string is not None:
            shape.append(STRING)
            values.append(string)
        elif fraction is None and exponent is None:
            shape.append(INT)
            values.append(int(number))
        else:
            shape.append(FLOAT)
            values.append(float(number))
        shape.append(after)
    return "".join(shape), values
