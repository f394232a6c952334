"""The parsed form of an RSQL filter: immutable nodes carrying their position in the text."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Value:
    """A literal value; `wildcards` are the indexes in `text` of `*` meant as wildcards."""

    text: str
    position: int
    quoted: bool = False
    wildcards: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A `$#{name}` value, resolved at compile time from the placeholders mapping."""

    name: str
    position: int


Argument = Value | Placeholder


@dataclass(frozen=True, slots=True)
class Comparison:
    """`selector operator arguments`; `operator` is the canonical spelling (`<` → `=lt=`)."""

    selector: str
    operator: str
    arguments: tuple[Argument, ...]
    listed: bool            # arguments were written as a parenthesised list
    position: int           # of the selector
    operator_position: int
    depth: int = 0


@dataclass(frozen=True, slots=True)
class And:
    """All children match."""

    children: tuple[Node, ...]
    position: int
    depth: int


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]
    position: int
    depth: int


@dataclass(frozen=True, slots=True)
class Group:
    """A parenthesised sub-filter; `depth` counts nested parentheses."""

    child: Node
    position: int
    depth: int


Node = Comparison | And | Or | Group


def comparisons(node: Node) -> Iterator[Comparison]:
    """Every comparison under `node`, left to right (iterative: safe on any depth)."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Comparison):
            yield current
        elif isinstance(current, Group):
            stack.append(current.child)
        else:
            stack.extend(reversed(current.children))
