"""Every link a demo user can follow works: no server error, no dead internal link, for each role."""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command

from teams.models import User

pytestmark = pytest.mark.slow

HREF = re.compile(r'href="([^"#]+)')
# Downloads and pages outside our own work (the admin is Django's) are not crawled.
SKIP = ("/admin/", "/static/", "/logout/", "/api/", "/r/", "/stop/", "/favicon.ico")
PAGES_PER_USER = 60


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


@pytest.mark.parametrize("username", ["admin", "lead", "physio", "psych", "outsider"])
def test_every_link_a_user_can_reach_works(demo, client, username):
    client.force_login(User.objects.get(username=username))
    seen, queue, visited = {"/"}, deque(["/"]), 0
    while queue and visited < PAGES_PER_USER:
        url = queue.popleft()
        response = client.get(url, follow=True)
        visited += 1
        assert response.status_code == 200, f"{username}: {url} answered {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.netloc or not href.startswith("/") or href.startswith(SKIP) or "format=csv" in href:
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    assert visited > 10
