"""The case tests use the people and clients of ``tests/conftest.py``."""
