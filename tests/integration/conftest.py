"""Integration tests use ``local_cloud`` and ``gateway`` from
``tests/conftest.py``."""
