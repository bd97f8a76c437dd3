from django.urls import reverse


def test_healthz_answers_200_when_postgresql_and_redis_answer(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_answers_503_when_redis_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_healthz_needs_no_login_and_shows_no_patient_data(client, db):
    response = client.get(reverse("healthz"))
    assert set(response.json()) == {"status", "database", "redis"}
