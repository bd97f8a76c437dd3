"""Phone numbers as people read them and as phones dial them."""

import re


def tel_uri(number: str) -> str:
    """The ``tel:`` URI of a number written for people: "020 7946 0000" → "tel:02079460000".

    Spaces, dashes, dots and brackets go; a leading + stays. Whatever is left must be digits.
    """
    digits = re.sub(r"[\s\-().]", "", number)
    if not re.fullmatch(r"\+?\d{3,15}", digits):
        raise ValueError(f"not a phone number: {number!r}")
    return f"tel:{digits}"
