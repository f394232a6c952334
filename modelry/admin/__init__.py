"""The web admin at `/admin`: screens generated from the models' metadata (app.py), reading
through the same function pipeline as GraphQL. Modules declare UI hints with `@hints(...)`."""
from modelry.admin.hints import Hints, hints

__all__ = ["Hints", "hints"]
