"""Languages: which one a patient's pages, messages and report are in, the crisis message in each, and
which files hold the words patients see (tests/test_translations.py fails on any of them left
untranslated in a language we ship).

Staff read the interface in the language they chose (``User.language``, activated by
``core.middleware.LanguageMiddleware``); a patient's link pages, reminders and progress report are in
the patient's language wherever we ship it (``patient_language``), and in the clinic's otherwise.
"""

from typing import Protocol

from django.conf import settings


class HasLanguage(Protocol):
    language: str  # a patient's (teams.Patient.language: "en", "pl", ...)


# The files whose strings a patient sees (globs from the project's root). Every msgid found in one of
# them must be translated, and not fuzzy, in every language of settings.LANGUAGES.
PATIENT_FACING = [
    "templates/checkins/patient_base.html",
    "templates/checkins/checkin_form.html",
    "templates/checkins/questionnaire.html",
    "templates/checkins/thanks.html",
    "templates/checkins/opted_out.html",
    "templates/checkins/link_unavailable.html",
    "templates/checkins/education_read.html",
    # The patient's partials (the folder also holds staff ones, such as the scheduling warnings).
    "templates/checkins/partials/patient_*.html",
    "templates/checkins/partials/education_list.html",
    "templates/adherence/report.html",
    "templates/adherence/report_caregiver.txt",
    "templates/base.html",
    "checkins/messages.py",
    "checkins/patient_forms.py",
    "adherence/report.py",
    "core/pdf.py",
    "static/js/checkin.js",
]


def shipped(language: str) -> bool:
    return any(code == language for code, _name in settings.LANGUAGES)


def patient_language(patient: HasLanguage) -> str:
    """The language code (of settings.LANGUAGES) the patient's pages and messages are in: theirs where
    we ship it ("en" is our "en-gb"), the clinic's (LANGUAGE_CODE) otherwise."""
    language = patient.language
    if language == "en":
        return "en-gb"
    return language if shipped(language) else settings.LANGUAGE_CODE


def crisis_message(language: str) -> str:
    """What a patient whose answers suggest they may harm themselves is shown at once, in their
    language: each language's text is a setting (CRISIS_MESSAGE, CRISIS_MESSAGE_PL, ...), so a clinic
    reads and sets its own numbers in each; a language without one gets the English text."""
    base = language.split("-")[0].upper()
    if base != "EN":
        text = getattr(settings, f"CRISIS_MESSAGE_{base}", "")
        if text:
            return text
    return settings.CRISIS_MESSAGE
