"""Test module `shelf`: genres, authors and books loaded from YAML and CSV data files."""
from modelry import Module

module = Module("shelf", version="1.0.0", depends=["base"], data=[
    "data/shelf.Genre.csv", "data/authors.yaml", "data/books.yaml", "data/more_books.csv"])

from tests.data_modules.shelf import models  # noqa: E402,F401  (declares the models)
