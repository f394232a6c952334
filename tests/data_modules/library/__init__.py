"""Test module `library`: branches whose data refers to records of the `shelf` module."""
from modelry import Module

module = Module("library", version="1.0.0", depends=["shelf"],
                data=["data/branches.yaml", "data/library.Branch.csv"])

from tests.data_modules.library import models  # noqa: E402,F401  (declares the models)
