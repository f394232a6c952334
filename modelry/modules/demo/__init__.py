"""The demo module: pet shops, items, tags — every field type and relation kind."""
from modelry import Module

module = Module("demo", version="1.0.0", depends=["base"], display_name="Pet shop demo",
                data=["data/breeds.yaml", "data/tags.csv"])

from modelry.modules.demo import jobs, models, services  # noqa: F401  (declares them)
