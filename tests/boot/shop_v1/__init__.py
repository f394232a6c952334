"""Test module `boot_shop` 1.0.0, booted in child processes (CLI and concurrency tests).

Never import it next to `tests.boot.shop_v2` in one process: both declare `boot_shop`.
"""
from modelry import Module

module = Module("boot_shop", version="1.0.0", depends=["base"], display_name="Boot shop")

from tests.boot.shop_v1 import models  # noqa: E402,F401  (declares the models)
