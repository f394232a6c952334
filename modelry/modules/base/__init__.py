"""The base module: always loaded first; later holds metadata, users and rights."""
from modelry import Module

module = Module("base", version="1.0.0", display_name="Base")
