#!/usr/bin/env python
"""Django's command-line utility for Veza."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("DATABASE_POOL", "false")  # a one-off command needs no connection pool
    from django.core.management import execute_from_command_line

    from veza import bootstrap
    from veza.preflight import exit_on_backend_error

    with exit_on_backend_error():
        bootstrap.environment()  # the embedded PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL are set
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
