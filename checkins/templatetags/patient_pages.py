"""Display filters for the patient's pages."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.phone import tel_uri

register = template.Library()

# A phone number as a sentence writes it: 3 to 15 digits, perhaps a leading +, single spaces or dashes
# between them ("999", "116 123", "+44 20 7946 0000").
PHONE_NUMBER = re.compile(r"(?<![\w+])\+?\d(?:[ -]?\d){2,14}(?![\w])")


@register.filter
def phone_links(text: str) -> SafeString:
    """The text, escaped, with every phone number in it a ``tel:`` link, so a patient in crisis taps the
    number rather than copying it. For texts the clinic writes (CRISIS_MESSAGE), whose only long runs of
    digits are phone numbers."""
    pieces: list[str] = []
    last = 0
    for match in PHONE_NUMBER.finditer(text):
        pieces.append(text[last : match.start()])
        pieces.append(
            format_html('<a href="{}" class="fw-semibold text-nowrap">{}</a>', tel_uri(match[0]), match[0])
        )
        last = match.end()
    pieces.append(text[last:])
    # Each piece fills one "{}": plain text is escaped, the links (already safe) are kept.
    return format_html("{}" * len(pieces), *pieces)
