#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["runserver"]:
        from designiaBackend.observability.tracing import configure_tracing

        configure_tracing()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
