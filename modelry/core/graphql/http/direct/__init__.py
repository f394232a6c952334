"""Compiled reads answered in the event loop on PostgreSQL: no worker thread, no
SQLAlchemy execution layer (reads.py)."""
