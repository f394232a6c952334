"""Tables derived from the registry."""
from modelry.core.schema.tables import NAMING_CONVENTION, build_metadata

__all__ = ["NAMING_CONVENTION", "build_metadata"]
