"""Test module `fntest`: functions of every kind, hooks and extension points (issue 6)."""
from modelry import Module

module = Module("fntest", version="1.0.0", depends=["base"], display_name="Function tests")

from tests.functions.fnmodule import behaviours, models, services  # noqa: E402,F401
