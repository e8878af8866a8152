"""What the tests share: fixture plugins in ``fixtures/``, and helper modules that tests import.

The fixture plugins are registered once, in tests/conftest.py (``pytest_plugins``),
and tests ask for their fixtures by name, never importing them; every other
module here holds plain functions, classes and constants that tests import.
No module here is a test module, and no test module imports another one or a
conftest (tests/test_layout.py checks both).
"""
