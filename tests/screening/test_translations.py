"""Loading validated translations: the shipped Polish PHQ-9 loads, every problem of a file is refused with
its own message, a second load replaces the first, and the admin shows and loads them."""

import copy
import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from screening.models import InstrumentTranslation, ItemWording
from screening.selectors import item_wordings, translation_of
from screening.services import translation_load
from screening.translations import shipped_translation, source_short, translation_check, translation_read
from teams.models import AuditEvent

PHQ9_PL = shipped_translation("pl", "PHQ-9")


@pytest.fixture
def phq9_pl() -> dict:
    return translation_read(PHQ9_PL)


def refusals(data) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        translation_check(data)
    return refused.value.messages


def test_shipped_polish_phq9_loads_with_its_wording_source_and_licence(db, clinic_admin, phq9_pl):
    translation = translation_load(data=phq9_pl, user=clinic_admin)

    assert (translation.instrument, translation.language) == ("PHQ-9", "pl")
    assert translation.title == "Kwestionariusz zdrowia pacjenta"
    assert translation.stem.startswith("Jak często w ciągu ostatnich 2 tygodni")
    assert translation.answer_labels["1"] == [
        "Wcale nie dokuczały",
        "Kilka dni",
        "Więcej niż połowę dni",
        "Niemal codziennie",
    ]
    assert set(translation.answer_labels) == {str(n) for n in range(1, 10)}
    assert "Psychiatria 2016;13(4):187–193" in translation.source
    assert "99" in translation.source and "18–60" in translation.source  # the validation's population
    assert source_short(translation.source) == "Kokoszka 2016"
    assert "No permission required" in translation.licence
    assert translation.loaded_by == clinic_admin
    texts = dict(
        ItemWording.objects.filter(instrument="PHQ-9", language="pl").values_list("item_number", "text")
    )
    assert sorted(texts) == list(range(1, 10))
    assert texts[9].startswith("Myśli, że lepiej byłoby umrzeć")
    assert translation_of("PHQ-9", "pl") == translation
    assert translation_of("GAD-7", "pl") is None
    audited = AuditEvent.objects.filter(actor=clinic_admin, object_type="instrumenttranslation")
    assert audited.get().action == AuditEvent.Action.CREATE
    assert AuditEvent.objects.filter(object_type="itemwording", object_id="PHQ-9:pl").exists()


def test_loading_again_replaces_the_earlier_load_of_that_instrument_and_language(db, clinic_admin, phq9_pl):
    first = translation_load(data=phq9_pl, user=None)
    newer = copy.deepcopy(phq9_pl)
    newer["wording_version"] = "corrected 2"
    newer["items"]["3"] = "Nowe brzmienie pozycji trzeciej"

    second = translation_load(data=newer, user=clinic_admin)

    assert second.pk == first.pk
    assert InstrumentTranslation.objects.get().wording_version == "corrected 2"
    assert ItemWording.objects.filter(language="pl").count() == 9
    assert ItemWording.objects.get(language="pl", item_number=3).text == "Nowe brzmienie pozycji trzeciej"
    update = AuditEvent.objects.get(object_type="instrumenttranslation", action=AuditEvent.Action.UPDATE)
    assert "wording_version" in update.changed_fields and "title" not in update.changed_fields


def test_a_translation_leaves_the_english_wording_as_it_was(db, phq9_pl):
    ItemWording.objects.create(instrument="PHQ-9", item_number=1, text="Licensed English item one")
    translation_load(data=phq9_pl, user=None)

    wordings = item_wordings(["PHQ-9"])

    assert wordings == {("PHQ-9", 1): "Licensed English item one"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(instrument="PHQ-10"), '"PHQ-10" is not an instrument of the library'),
        (lambda d: d.update(language="en"), "English is the instrument's own wording"),
        (lambda d: d.update(language="xx"), '"xx" is not a patient language'),
        (lambda d: d.pop("wording_version"), '"wording_version" is missing or empty.'),
        (lambda d: d.update(wording_version="v" * 41), '"wording_version" is 41 characters long; at most 40'),
        (lambda d: d.update(title=""), '"title" is missing or empty.'),
        (lambda d: d.update(stem=""), '"stem" is missing: PHQ-9 asks its items under an instruction.'),
        (lambda d: d["items"].pop("9"), '"items" leaves out item 9: a translation gives every item.'),
        (lambda d: d["items"].update({"10": "x"}), '"items" has "10", which is not an item of PHQ-9 (1–9).'),
        (lambda d: d["items"].update({"4": "  "}), "Item 4 has no wording."),
        (lambda d: d["answers"].pop("2"), '"answers" leaves out item 2'),
        (
            lambda d: d["answers"].update({"5": ["Wcale nie", "Kilka dni", "Niemal codziennie"]}),
            "Item 5 offers 4 answers; the file gives 3 labels",
        ),
        (
            lambda d: d["answers"].update(
                {"6": ["Wcale nie", "", "Więcej niż połowę dni", "Niemal codziennie"]}
            ),
            'Item 6\'s answer 1 has no label; in English it is "Several days".',
        ),
        (lambda d: d["answers"].update({"7": "Wcale nie"}), "Item 7's answers must be a list of labels"),
        (lambda d: d["source"].pop("population"), '"source" needs a "population"'),
        (
            lambda d: d.update(source="Kokoszka 2016"),
            '"source" must be an object with "citation" and "population".',
        ),
        (lambda d: d.update(licence=""), '"licence" is missing or empty.'),
        (lambda d: d.update(licnece="typo"), "Unknown field 'licnece'"),
    ],
)
def test_each_problem_of_a_file_is_refused_with_its_own_message(phq9_pl, change, message):
    change(phq9_pl)

    messages = refusals(phq9_pl)

    assert any(m.startswith(message) for m in messages), messages
    assert len(messages) == 1, messages  # the one problem, said once


def test_every_problem_is_listed_at_once_and_nothing_is_loaded(db, phq9_pl):
    phq9_pl.update(title="", licence="")
    phq9_pl["items"].pop("1")

    with pytest.raises(ValidationError) as refused:
        translation_load(data=phq9_pl, user=None)

    assert len(refused.value.messages) == 3
    assert not InstrumentTranslation.objects.exists()
    assert not ItemWording.objects.exists()


def test_an_empty_label_is_allowed_where_the_english_point_is_unanchored(db):
    # PCS points are all labelled; the Örebro (ÖMPSQ-SF) 0–10 items name only their ends.
    from screening.instruments import INSTRUMENTS

    instrument = next(i for i in INSTRUMENTS.values() if any(not a.label for a in i.items[0].answers))
    data = {
        "instrument": instrument.code,
        "language": "pl",
        "wording_version": "1",
        "title": "Tytuł",
        "stem": "Polecenie" if instrument.stem else "",
        "items": {str(item.number): f"Pytanie {item.number}" for item in instrument.items},
        "answers": {
            str(item.number): [a.label and f"{a.label} (pl)" for a in item.answers]
            for item in instrument.items
        },
        "source": {"citation": "Autor A. Tytuł. Czasopismo 2020;1:1–2.", "population": "100 adults"},
        "licence": "Held by the clinic.",
    }

    translation = translation_load(data=data, user=None)

    assert translation.answer_labels["1"][1] == ""


def test_a_file_that_is_not_json_is_refused(tmp_path):
    bad = tmp_path / "PHQ-9.json"
    bad.write_text("{not json", encoding="utf-8")

    with pytest.raises(ValidationError, match="is not a JSON file in UTF-8"):
        translation_read(bad)
    with pytest.raises(ValidationError, match="Cannot read"):
        translation_read(tmp_path / "missing.json")


def test_the_command_loads_files_and_refuses_all_if_one_is_wrong(db, clinic_admin, tmp_path, phq9_pl):
    broken = dict(phq9_pl, instrument="GAD-7")
    broken_path = tmp_path / "GAD-7.json"
    broken_path.write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_translation", str(PHQ9_PL), str(broken_path))

    assert "Nothing loaded" in str(refused.value) and "GAD-7.json" in str(refused.value)
    assert "Item 1 offers" not in str(refused.value)  # GAD-7 answers are the same four
    assert '"items" has "8"' in str(refused.value)
    assert not InstrumentTranslation.objects.exists()

    call_command("load_translation", str(PHQ9_PL), "--user", "admin")

    assert InstrumentTranslation.objects.get().loaded_by == clinic_admin


def test_admin_lists_a_translation_read_only_with_its_items(db, login, clinic_admin, phq9_pl):
    translation = translation_load(data=phq9_pl, user=clinic_admin)
    client = login(clinic_admin)

    listing = client.get(reverse("admin:screening_instrumenttranslation_changelist"))
    detail = client.get(reverse("admin:screening_instrumenttranslation_change", args=[translation.pk]))

    assert listing.status_code == 200
    assert "Polish" in listing.content.decode()
    page = detail.content.decode()
    assert "Niewielkie zainteresowanie" in page and "Niemal codziennie" in page
    assert 'name="title"' not in page  # nothing to edit: a new file replaces it


def test_admin_upload_loads_a_file_or_says_what_is_wrong(db, login, clinic_admin, phq9_pl):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(clinic_admin)
    url = reverse("admin:screening_instrumenttranslation_upload")
    phq9_pl["licence"] = ""
    wrong = SimpleUploadedFile("PHQ-9.json", json.dumps(phq9_pl).encode(), "application/json")

    refused = client.post(url, {"file": wrong})

    assert refused.status_code == 200
    assert '"licence" is missing or empty.' in html.unescape(refused.content.decode())
    assert not InstrumentTranslation.objects.exists()

    good = SimpleUploadedFile("PHQ-9.json", PHQ9_PL.read_bytes(), "application/json")
    loaded = client.post(url, {"file": good})

    assert loaded.status_code == 302
    assert InstrumentTranslation.objects.get().loaded_by == clinic_admin


def test_admin_upload_is_for_clinic_admins_only(db, login, clinician):
    response = login(clinician).get(reverse("admin:screening_instrumenttranslation_upload"))

    assert response.status_code == 302  # to the admin's login: not a clinic admin
    assert "login" in response.url


def test_deleting_a_translation_in_the_admin_takes_its_items_and_is_audited(db, login, clinic_admin, phq9_pl):
    translation = translation_load(data=phq9_pl, user=clinic_admin)
    delete = reverse("admin:screening_instrumenttranslation_delete", args=[translation.pk])

    response = login(clinic_admin).post(delete, {"post": "yes"})

    assert response.status_code == 302
    assert not InstrumentTranslation.objects.exists()
    assert not ItemWording.objects.filter(language="pl").exists()
    assert AuditEvent.objects.filter(
        actor=clinic_admin, action=AuditEvent.Action.DELETE, object_type="instrumenttranslation"
    ).exists()


def test_a_translations_items_are_not_editable_one_by_one_in_the_admin(db, login, clinic_admin, phq9_pl):
    translation_load(data=phq9_pl, user=None)
    english = ItemWording.objects.create(instrument="PCS", item_number=1, text="Licensed wording")
    polish = ItemWording.objects.filter(language="pl").first()
    client = login(clinic_admin)

    listing = client.get(reverse("admin:screening_itemwording_changelist")).content.decode()

    assert "Licensed wording" in listing and "Niewielkie" not in listing
    assert client.get(reverse("admin:screening_itemwording_change", args=[english.pk])).status_code == 200
    assert client.get(reverse("admin:screening_itemwording_change", args=[polish.pk])).status_code == 302
