"""Start-up of every Veza process: the embedded PostgreSQL and Redis when no server is configured.

``manage.py``, ``veza.asgi``, ``veza.wsgi``, the benchmarks and the tests (the pytest plugin
``tests/bootstrap.py``) call :func:`environment` before Django reads the settings. When
``DATABASE_URL`` / ``REDIS_URL`` are set neither in the environment nor in ``.env``, it starts the
embedded servers under ``var/`` (:mod:`veza.embedded`) and sets the variables to their URLs. The
settings only read the environment: importing them starts nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def environment() -> None:
    """Set ``DATABASE_URL`` and ``REDIS_URL`` from the embedded servers (started if need be) when unset."""
    import environ

    from veza import embedded

    if (BASE_DIR / ".env").is_file():
        environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # as the settings do: real variables win
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded.database_url()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = embedded.redis_url()
