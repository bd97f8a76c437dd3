"""Validated translations of instruments, as files a clinic loads: read one and say what is wrong with it.

A translation file is JSON (``screening/translations/<language>/<instrument>.json`` ships the ones we may
distribute)::

    {
      "instrument": "PHQ-9",              # a code of the instrument library
      "language": "pl",                   # a patient language (teams.models.Language), not English
      "wording_version": "...",           # the translation's own version or date
      "title": "...",                     # what the patient sees as the questionnaire's title
      "stem": "...",                      # the instruction above the items (required where English has one)
      "items": {"1": "...", ...},         # every item's wording
      "answers": {"1": ["...", ...], ...},  # every item: one label per answer value, lowest first
      "source": {"citation": "...", "population": "..."},  # the validation study and who it was done in
      "licence": "..."                    # the terms the clinic holds it under
    }

An answer label may be empty only where the English one is (the unanchored points of a 0–10 scale).
Nothing is loaded here: ``screening.services.translation_load`` writes a checked ``Translation``.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from teams.models import Language

from .instruments import INSTRUMENTS, Instrument
from .instruments.model import Source

ENGLISH = Language.ENGLISH.value
FIELDS = (
    "instrument",
    "language",
    "wording_version",
    "title",
    "stem",
    "items",
    "answers",
    "source",
    "licence",
)
SOURCE_PARTS = {
    "citation": gettext_lazy("the published study that validated this translation"),
    "population": gettext_lazy("who the validation was done in (how many, where, which patients)"),
}
# The longest each stored text may be (InstrumentTranslation's columns).
MAX_LENGTHS = {"wording_version": 40, "title": 200}
# Where the translations we may distribute are kept, one folder per language.
SHIPPED = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Translation:
    """A translation file that passed every check: ready to load."""

    instrument: Instrument
    language: str
    wording_version: str
    title: str
    stem: str
    items: dict[int, str]
    answers: dict[int, list[str]]
    citation: str
    population: str
    licence: str

    @property
    def source(self) -> str:
        """The source as one text, as ``InstrumentTranslation.source`` keeps it."""
        return source_text(self.citation, self.population)


def source_text(citation: str, population: str) -> str:
    return f"{citation}\nPopulation: {population}"


def source_short(source: str) -> str:
    """How a label cites a loaded translation's source: first author and year ("Kokoszka 2016")."""
    citation = source.split("\nPopulation:", 1)[0]
    return Source(citation=citation, population="").short


def language_name(code: str) -> str:
    """A patient language's name in English ("Polish"), or the code itself if it is none of ours."""
    try:
        return str(Language(code).label)
    except ValueError:
        return code


def _text(data: dict[str, Any], key: str, problems: list[str], *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        problems.append(_('"%(key)s" must be text.') % {"key": key})
        return ""
    value = value.strip()
    if required and not value:
        problems.append(_('"%(key)s" is missing or empty.') % {"key": key})
    limit = MAX_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        problems.append(
            _('"%(key)s" is %(length)d characters long; at most %(limit)d are kept.')
            % {"key": key, "length": len(value), "limit": limit}
        )
    return value


def _numbered(value: Any, key: str, instrument: Instrument, problems: list[str]) -> dict[int, Any]:
    """The entries of an object keyed by item number, with a problem for each key that is not an item of
    the instrument and for each item left out."""
    if not isinstance(value, dict):
        problems.append(_('"%(key)s" must be an object keyed by item number ("1", "2", ...).') % {"key": key})
        return {}
    count = len(instrument.items)
    entries: dict[int, Any] = {}
    for raw, entry in value.items():
        number = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        if number is None or not 1 <= number <= count:
            problems.append(
                _('"%(key)s" has "%(raw)s", which is not an item of %(code)s (1–%(count)d).')
                % {"key": key, "raw": raw, "code": instrument.code, "count": count}
            )
            continue
        entries[number] = entry
    missing = [str(n) for n in range(1, count + 1) if n not in entries]
    if missing:
        problems.append(
            ngettext(
                '"%(key)s" leaves out item %(items)s: a translation gives every item.',
                '"%(key)s" leaves out items %(items)s: a translation gives every item.',
                len(missing),
            )
            % {"key": key, "items": ", ".join(missing)}
        )
    return entries


def _items(value: Any, instrument: Instrument, problems: list[str]) -> dict[int, str]:
    items: dict[int, str] = {}
    for number, text in sorted(_numbered(value, "items", instrument, problems).items()):
        if not isinstance(text, str) or not text.strip():
            problems.append(_("Item %(number)d has no wording.") % {"number": number})
            continue
        items[number] = text.strip()
    return items


def _answers(value: Any, instrument: Instrument, problems: list[str]) -> dict[int, list[str]]:
    answers: dict[int, list[str]] = {}
    for number, labels in sorted(_numbered(value, "answers", instrument, problems).items()):
        english = [answer.label for answer in instrument.item(number).answers]
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            problems.append(
                _("Item %(number)d's answers must be a list of labels, lowest value first.")
                % {"number": number}
            )
            continue
        if len(labels) != len(english):
            problems.append(
                _(
                    "Item %(number)d offers %(answers)d answers; the file gives %(labels)d labels "
                    "(one per answer, lowest value first)."
                )
                % {"number": number, "answers": len(english), "labels": len(labels)}
            )
            continue
        labels = [label.strip() for label in labels]
        for position, (label, original) in enumerate(zip(labels, english, strict=True)):
            if not label and original:
                value_of = instrument.item(number).answers[position].value
                problems.append(
                    _('Item %(number)d\'s answer %(value)d has no label; in English it is "%(label)s".')
                    % {"number": number, "value": value_of, "label": original}
                )
        answers[number] = labels
    return answers


def _source(value: Any, problems: list[str]) -> tuple[str, str]:
    if not isinstance(value, dict):
        problems.append(_('"source" must be an object with "citation" and "population".'))
        return "", ""
    parts = []
    for key in ("citation", "population"):
        text = value.get(key, "")
        if not isinstance(text, str) or not text.strip():
            problems.append(
                _('"source" needs a "%(key)s": %(what)s.') % {"key": key, "what": SOURCE_PARTS[key]}
            )
            text = ""
        parts.append(text.strip())
    return parts[0], parts[1]


def translation_check(data: Any) -> Translation:
    """A translation file's content checked against the instrument it translates. Raises
    ``ValidationError`` with one message per problem found (all of them, not the first)."""
    if not isinstance(data, dict):
        raise ValidationError(_("A translation file holds one JSON object (see the README for its fields)."))
    problems: list[str] = []
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        problems.append(
            _("Unknown field %(names)s (the fields: %(fields)s).")
            % {"names": names, "fields": ", ".join(FIELDS)}
        )
    code = _text(data, "instrument", problems)
    instrument = INSTRUMENTS.get(code)
    if code and instrument is None:
        problems.append(
            _('"%(code)s" is not an instrument of the library (%(codes)s).')
            % {"code": code, "codes": ", ".join(INSTRUMENTS)}
        )
    language = _text(data, "language", problems)
    if language == ENGLISH:
        problems.append(
            _(
                "English is the instrument's own wording (or licensed wording loaded as item wording): "
                "a translation file is for another language."
            )
        )
    elif language and language not in Language.values:
        others = ", ".join(value for value in Language.values if value != ENGLISH)
        problems.append(
            _('"%(language)s" is not a patient language (%(others)s).')
            % {"language": language, "others": others}
        )
    wording_version = _text(data, "wording_version", problems)
    title = _text(data, "title", problems)
    stem = _text(data, "stem", problems, required=False)
    if instrument is not None and instrument.stem and not stem:
        problems.append(
            _('"stem" is missing: %(code)s asks its items under an instruction.') % {"code": instrument.code}
        )
    items: dict[int, str] = {}
    answers: dict[int, list[str]] = {}
    if instrument is not None:
        items = _items(data.get("items"), instrument, problems)
        answers = _answers(data.get("answers"), instrument, problems)
    citation, population = _source(data.get("source"), problems)
    licence = _text(data, "licence", problems)
    if problems or instrument is None:
        raise ValidationError(problems)
    return Translation(
        instrument=instrument,
        language=language,
        wording_version=wording_version,
        title=title,
        stem=stem,
        items=items,
        answers=answers,
        citation=citation,
        population=population,
        licence=licence,
    )


def translation_parse(content: bytes, name: str) -> Any:
    """A translation file's JSON content (an upload's or a file's); refused if it is not JSON in UTF-8."""
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(
            _("%(name)s is not a JSON file in UTF-8: %(error)s.") % {"name": name, "error": error}
        ) from error


def translation_read(path: Path | str) -> Any:
    """A translation file's JSON content; a file that cannot be read or parsed raises ValidationError."""
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise ValidationError(
            _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": error.strerror or error}
        ) from error
    return translation_parse(content, str(path))


def shipped_translation(language: str, code: str) -> Path:
    """Where a translation we ship is kept."""
    return SHIPPED / language / f"{code}.json"
