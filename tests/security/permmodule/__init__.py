"""Test module `permtest`: memos in folders, with a custom action and query (issue 6)."""
from modelry import Module

module = Module("permtest", version="1.0.0", depends=["base"], display_name="Permission tests")

from tests.security.permmodule import models  # noqa: E402,F401  (declares the models)
