"""The staff interface is marked for translation: a staff template's visible words are inside
{% translate %} or {% blocktranslate %}, so `makemessages` finds them, and the template loads i18n.
(The patient side, base.html and the check-in pages are checked with the shipped language.) The same
goes for static/js: the words a script writes into a page are passed to gettext / ngettext, whose
catalogue is /jsi18n/ (the djangojs domain)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

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


# --- JavaScript (static/js): the words it writes into a page go through the /jsi18n/ catalogue ---

STATIC_JS = TEMPLATES.parent / "static" / "js"
# One token of JavaScript: a comment, a string or template literal, a regular expression, a name, or a
# character. A "/" opens a regular expression where a value may start (after an operator or bracket).
_JS_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)
    | (?P<name>[A-Za-z_$][\w$]*)
    | (?P<space>\s+)
    | (?P<other>.)""",
    re.S | re.X,
)
_JS_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\n])+/[a-z]*")
_VALUE_STARTS_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {None, "return", "typeof", "case"}
# The message functions and which of their arguments are messages (pgettext's first is its context).
_MESSAGE_ARGUMENTS = {"gettext": (0,), "ngettext": (0, 1), "pgettext": (0, 1), "npgettext": (0, 1, 2)}
# Strings the page's code reads, not a person: what a DOM call is given (selectors, ids, attribute and
# event names), key names, and the few fixed words of the platform.
_DOM_CALLS = {
    *["querySelector", "querySelectorAll", "closest", "matches", "getElementById", "createElement"],
    *["addEventListener", "removeEventListener", "getAttribute", "setAttribute", "removeAttribute"],
    *["hasAttribute", "Event"],
}
# KeyboardEvent key names a script compares with.
_KEY_NAMES = (
    "Enter Escape Tab Home End PageUp PageDown Backspace Delete ArrowUp ArrowDown ArrowLeft ArrowRight"
)
_NOT_WORDS = {"use strict", "DOMContentLoaded", "X-CSRFToken", "Content-Type", *_KEY_NAMES.split()}


def _js_tokens(source: str) -> list[tuple[str, str]]:
    """(kind, text) of each token but space and comments; regular expression literals as kind "regex"."""
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(source):
        before = tokens[-1][1] if tokens else None
        if source[at] == "/" and source[at : at + 2] not in ("//", "/*") and before in _VALUE_STARTS_AFTER:
            literal = _JS_REGEX.match(source, at)
            if literal:
                tokens.append(("regex", literal.group()))
                at = literal.end()
                continue
        token = _JS_TOKEN.match(source, at)
        assert token is not None and token.lastgroup is not None
        if token.lastgroup not in ("comment", "space"):
            tokens.append((token.lastgroup, token.group()))
        at = token.end()
    return tokens


def _reads_as_words(text: str) -> bool:
    """A literal a person would read: a word beside a space ("Save with ", " items"), or a capitalised
    word ("Mood")."""
    if text in _NOT_WORDS:
        return False
    return bool(re.search(r"[A-Za-z]{2,}\s|\s[A-Za-z]{2,}", text) or re.match(r"[A-Z][a-z]", text))


def _message_argument(tokens: list[tuple[str, str]], index: int) -> bool:
    """Whether the string at ``index`` is passed directly as a message of gettext and its kin."""
    strings_before = 0
    while tokens[index - 1] == ("other", ","):
        index -= 2
        if index < 1 or tokens[index][0] != "string":
            return False
        strings_before += 1
    if index < 2 or tokens[index - 1] != ("other", "("):
        return False
    return strings_before in _MESSAGE_ARGUMENTS.get(tokens[index - 2][1], ())


def unmarked_js_strings(source: str) -> list[str]:
    """The literals of a script that read as words and reach the page without gettext."""
    tokens = _js_tokens(source)
    found = []
    for index, (kind, text) in enumerate(tokens):
        if kind != "string" or not _reads_as_words(text[1:-1]) or _message_argument(tokens, index):
            continue
        if index >= 2 and tokens[index - 1] == ("other", "(") and tokens[index - 2][1] in _DOM_CALLS:
            continue
        found.append(text)
    return found


def test_the_javascript_scan_sees_unmarked_words_and_not_marked_ones():
    unmarked = 'link.textContent = "Item " + n + ": " + label; line("Mood", s.mood); // "Not me"'
    assert unmarked_js_strings(unmarked) == ['"Item "', '"Mood"']
    assert unmarked_js_strings('x = n + " minutes"; y = n === 1 ? " item" : " items";') == [
        '" minutes"',
        '" item"',
        '" items"',
    ]
    marked = 'gettext("Save screening"); ngettext("%(count)s item", "%(count)s items", n);'
    assert (
        unmarked_js_strings(marked + ' pgettext("chart", "Pain"); npgettext("c", "A day", "Days", n);') == []
    )
    platform = 'form.querySelector("output.running-total + span"); if (event.key === "Enter") return;'
    assert unmarked_js_strings(
        platform + ' "use strict"; x.replace(/^\\(range |\\)$/g, ""); a / b / "no regex"'
    ) == ['"no regex"']
    # A word given to something other than a message function is still a word.
    assert unmarked_js_strings('label(gettext, "Sleep well"); f(gettext("a"), "Sleep")') == [
        '"Sleep well"',
        '"Sleep"',
    ]


def test_the_scripts_are_found():
    names = sorted(p.name for p in STATIC_JS.glob("*.js"))
    assert "screening-entry.js" in names and "session-timeout.js" in names
    assert len(names) >= 10


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC_JS.glob("*.js")))
def test_staff_javascript_words_are_marked_for_translation(name):
    wrap = "wrap these in gettext / ngettext (with interpolate for values); see README 'Languages'"
    assert unmarked_js_strings((STATIC_JS / name).read_text()) == [], f"static/js/{name}: {wrap}"


def test_the_javascript_catalogue_answers_in_the_readers_language(login, clinician):
    url = reverse("javascript-catalog")
    client = login(clinician)
    english = client.get(url)
    assert english.status_code == 200 and english["Content-Type"].startswith("text/javascript")
    assert "globals.gettext = django.gettext" in english.text and "sekund" not in english.text
    clinician.language = "pl"
    clinician.save(update_fields=["language"])
    # The session warning's countdown, with Polish plural forms (djangojs.po).
    polish = client.get(url)
    assert polish.status_code == 200 and '"%(count)s sekund"' in polish.text
