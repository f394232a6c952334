"""The registry: modules → models → fields, built once at boot from declarations."""
from modelry.core.registry.build import Registry, build_registry
from modelry.core.registry.meta import ModelMeta

__all__ = ["ModelMeta", "Registry", "build_registry"]
