"""python manage.py verify_audit: check the audit trail's hash chain; exit 1 if anything breaks it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from teams.audit_chain import verify


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain and report any changed, removed, inserted or unsealed event."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.intact:
            raise CommandError(f"The audit trail's hash chain is broken in {len(report.problems)} place(s).")
        self.stdout.write(
            f"{report.events:,} audit events; the hash chain is intact. "
            f"Head: event #{report.head_seq or 0}, {report.head_hash or '(none yet)'}"
        )
