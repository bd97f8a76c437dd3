import pytest

from core.phone import tel_uri


@pytest.mark.parametrize(
    ("written", "dialled"),
    [
        ("020 7946 0000", "tel:02079460000"),
        ("116 123", "tel:116123"),
        ("+44 (0)20-7946.0000", "tel:+4402079460000"),
    ],
)
def test_a_number_written_for_people_dials_as_its_digits(written, dialled):
    assert tel_uri(written) == dialled


@pytest.mark.parametrize("written", ["", "call us", "12", "0800 CALL NOW"])
def test_what_is_not_a_number_is_refused(written):
    with pytest.raises(ValueError):
        tel_uri(written)


def test_every_page_knows_the_clinics_phone(client, db, settings):
    settings.CLINIC_PHONE = "020 7946 0123"
    response = client.get("/login/")
    assert response.context["clinic_phone"] == "020 7946 0123"
    assert response.context["clinic_phone_tel"] == "tel:02079460123"
