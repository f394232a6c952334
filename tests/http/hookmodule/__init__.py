"""Test module `hooktest`: HTTP endpoints of every kind (a note store written through one)."""
from modelry import Module

module = Module("hooktest", version="1.0.0", depends=["base"], display_name="Endpoint tests")

from tests.http.hookmodule import endpoints  # noqa: E402,F401
