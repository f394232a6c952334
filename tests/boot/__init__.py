"""Tests of booting: lifecycles, options, schema plans, DDL scripts, RELOAD checks, the lock."""
