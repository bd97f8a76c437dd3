"""HTML to PDF with WeasyPrint, reading our own static files from disk and nothing from the network.

Importing this module needs the system's Pango library (Debian: libpango-1.0-0, libpangoft2-1.0-0),
which `.ci/run` installs; without it the import raises OSError and the print view stays available.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

MIME = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class StaticFilesOnly(URLFetcher):
    def fetch(self, url, headers=None):
        path = url.split("://", 1)[-1]
        path = path[path.find("/") :] if "/" in path else path
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            if found:
                with open(found, "rb") as file:
                    body = file.read()
                mime = next((m for ext, m in MIME.items() if found.endswith(ext)), "application/octet-stream")
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        raise ValueError(f"not fetched: {url}")


def pdf_from_html(html: str) -> bytes:
    return HTML(string=html, base_url="http://rehabcare.invalid/", url_fetcher=StaticFilesOnly()).write_pdf()
