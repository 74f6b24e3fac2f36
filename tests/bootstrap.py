"""pytest plugin (``-p tests.bootstrap`` in pyproject.toml): the embedded servers' URLs are in the
environment before pytest-django reads the settings, as ``manage.py`` does for other commands."""

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    from veza import bootstrap

    bootstrap.environment()
