"""The base module: always loaded first; persisted metadata, users, roles and rights."""
from modelry import Module

module = Module("base", version="1.0.0", display_name="Base", data=["data/roles.yaml"])

from modelry.modules.base import (  # noqa: F401  (declares the models)
    metadata, security, tasks, webhooks)
