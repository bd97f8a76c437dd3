from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conferences.demo import demo_seed
from teams.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo teams, staff and patients (idempotent; development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password; it runs only with DEBUG on."
            )
        counts = demo_seed()
        summary = ", ".join(f"{count} {what}" for what, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        logins = "admin, lead, physio, psych, physician, ot, outsider"
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {logins}")
