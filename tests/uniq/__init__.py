"""Test module `uniq`: models with sets of fields unique together (tests/test_model_unique.py,
tests/boot/test_model_unique_boot.py)."""
from modelry import Module

module = Module("uniq", version="1.0.0", depends=["base"], display_name="Unique sets")

from tests.uniq import models  # noqa: E402,F401  (declares the models)
