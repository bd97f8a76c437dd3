"""The staff interface is marked for translation: a staff template's visible words are inside
{% translate %} or {% blocktranslate %}, so `makemessages` finds them, and the template loads i18n.
(The patient side, base.html and the check-in pages are checked with the shipped language.)"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STAFF = [
    *["teams", "careplans", "conferences", "routing", "adherence"],
    *["screening", "partials", "registration", "admin"],
]
ERROR_PAGES = ["400.html", "403.html", "404.html", "500.html", "503.html"]
# Marked with the patient's language by the patient-side work, or another part of the issue's own pages.
ELSEWHERE = {
    "adherence/report.html",
    "adherence/report_caregiver.txt",
    "adherence/report_refused.html",
    "screening/screening_detail.html",
}
ELSEWHERE_DIRS = ("admin/screening/",)

_CUT = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}", re.S),
    re.compile(r"<(script|style)\b.*?</\1>", re.S),
    re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<!--.*?-->", re.S),
    re.compile(r"<[^<>]*>|&#?\w+;", re.S),
]


def unmarked_words(source: str) -> list[str]:
    """Words a reader would see that no translation tag wraps."""
    for pattern in _CUT:
        source = pattern.sub(" ", source)
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", source)


def staff_templates() -> list[str]:
    found = [str(p.relative_to(TEMPLATES)) for d in STAFF for p in (TEMPLATES / d).rglob("*") if p.is_file()]
    found += ERROR_PAGES
    return sorted(n for n in found if n not in ELSEWHERE and not n.startswith(ELSEWHERE_DIRS))


def test_the_scan_sees_unmarked_words_and_not_marked_ones():
    assert unmarked_words('<p class="x">Save the note</p>') == ["Save", "the", "note"]
    assert unmarked_words('<p>{% translate "Save" %} {{ patient.full_name }} &middot;</p>') == []
    assert unmarked_words("{% blocktranslate trimmed %}Due\n{{ on }}{% endblocktranslate %} or") == ["or"]


def test_the_staff_templates_are_found():
    names = staff_templates()
    assert "teams/patient_list.html" in names and "conferences/conference_summary_email.txt" in names
    assert len(names) > 80


@pytest.mark.parametrize("name", staff_templates())
def test_staff_template_words_are_marked_for_translation(name):
    source = (TEMPLATES / name).read_text()
    wrap = "wrap these words in {% translate %} / {% blocktranslate %}"
    assert unmarked_words(source) == [], f"{name}: {wrap}"
    if re.search(r"\{%\s*(block)?trans(late)?\b", source):
        assert re.search(r"\{%\s*load\b[^%]*\bi18n\b", source), f"{name} translates without {{% load i18n %}}"
