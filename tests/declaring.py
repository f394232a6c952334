"""Helpers of the declaration tests."""
from __future__ import annotations

from modelry import Module
from modelry.core.registry import Registry, build_registry
from modelry.core.registry.discovery import resolve


def registry_of(*modules: Module | str) -> Registry:
    """A registry of these modules (and base), without a database."""
    return build_registry(resolve(list(modules)))
