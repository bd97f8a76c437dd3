#!/usr/bin/env python
"""Django's command-line utility for RehabCare."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehabcare.settings.dev")
    from django.core.management import execute_from_command_line

    from core.context import bound

    # A command's audit events and log lines say which command wrote them; it has no address or user.
    with bound(request_id=f"manage.py {sys.argv[1] if len(sys.argv) > 1 else ''}".strip()[:64]):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
