"""Test module `naptest`: a query function that keeps its request's connection a while."""
from modelry import Module

module = Module("naptest", version="1.0.0", depends=["base"], display_name="Pool tests")

from tests.graphql.napmodule import models  # noqa: E402,F401  (declares the models)
