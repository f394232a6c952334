"""Tests of the order module."""
