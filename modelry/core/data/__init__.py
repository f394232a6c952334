"""The data manager: records in and out of the database with SQLAlchemy Core."""
from modelry.core.data.manager import DataManager
from modelry.core.data.page import Page

__all__ = ["DataManager", "Page"]
