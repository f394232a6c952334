"""The base module: always loaded first; holds the persisted metadata of every module."""
from modelry import Module

module = Module("base", version="1.0.0", display_name="Base")

from modelry.modules.base import metadata  # noqa: F401  (declares the models)
