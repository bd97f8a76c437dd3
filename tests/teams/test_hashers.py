"""Staff passwords are stored with Argon2id at OWASP's parameters; one stored earlier with PBKDF2 still
signs in and is stored again with Argon2id. (The rest of the suite hashes with MD5, for speed.)"""

import pytest
from argon2 import extract_parameters
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse

from rehabcare.settings import base

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_new_password_is_argon2id_with_owasps_parameters(clinician):
    clinician.set_password("a long new passphrase")
    clinician.save()
    algorithm, _, encoded = clinician.password.partition("$")
    assert algorithm == "argon2"
    parameters = extract_parameters("$" + encoded)
    assert (parameters.type.name, parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        "ID",
        19456,
        2,
        1,
    )
    assert clinician.check_password("a long new passphrase")
    assert not clinician.check_password("a long new passphrasf")


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_pbkdf2_password_signs_in_and_is_stored_again_with_argon2id(clinician):
    clinician.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    clinician.save(update_fields=["password"])

    response = Client().post(reverse("login"), {"username": clinician.username, "password": PASSWORD})

    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.password.startswith("argon2$argon2id$")
