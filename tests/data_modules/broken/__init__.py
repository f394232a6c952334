"""Test module `broken`: one well-formed data file and many broken ones.

Tests load it with a chosen `data` list (a Module of the same code and package).
"""
from modelry import Module

module = Module("broken", version="1.0.0", depends=["shelf"], data=[])
