"""``manage.py load_translation <file>...``: load validated instrument translations a clinic holds."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from screening.services import translation_load
from screening.translations import language_name, translation_read
from teams.models import User


class Command(BaseCommand):
    help = (
        "Load validated translations of instruments from JSON files (the format is in the README; "
        "screening/translations/ holds the ones we ship). A file loaded again replaces the earlier load "
        "of its instrument and language. Every file is checked first: nothing loads if one is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="Translation files (JSON).")
        parser.add_argument(
            "--user", default="", help="The username of the person loading them (named in the audit trail)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        refused: list[str] = []
        loaded = []
        with transaction.atomic():
            for path in options["files"]:
                try:
                    loaded.append(translation_load(data=translation_read(path), user=user))
                except ValidationError as error:
                    refused.append(f"{path}:\n" + "\n".join(f"  - {message}" for message in error.messages))
            if refused:
                transaction.set_rollback(True)
        if refused:
            raise CommandError("Nothing loaded. Refused:\n" + "\n".join(refused))
        for translation in loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {translation.instrument} in {language_name(translation.language)} "
                    f"(wording {translation.wording_version})."
                )
            )
