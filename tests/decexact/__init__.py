"""Test module `decexact`: decimals at assorted declared precisions (tests/test_decimal_exact.py,
tests/boot/test_legacy_decimals.py)."""
from modelry import Module

module = Module("decexact", version="1.0.0", depends=["base"], display_name="Exact decimals")

from tests.decexact import models  # noqa: E402,F401  (declares the models)
