"""/api/docs/ and /api/redoc/ load with zero requests to other hosts.

Every file the pages reference is same-origin and exists (drf-spectacular-sidecar's static files),
and there is no inline script or style: the production Content Security Policy
(`script-src 'self'; style-src 'self'`) would block them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

_URL_ATTRIBUTES = {"src", "href", "spec-url", "data", "poster", "action"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._open: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [value for name, value in attrs if name in _URL_ATTRIBUTES and value]
        if values.get("style"):
            self.inline_styles.append(values["style"])
        if tag in {"script", "style"}:
            self._open = (tag, "src" in values)

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is None or not data.strip():
            return
        tag, has_source = self._open
        if tag == "style":
            self.inline_styles.append(data)
        elif not has_source:
            self.inline_scripts.append(data)


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_documentation_page_references_only_its_own_files(client, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    parsed = _parse(html)
    assert parsed.urls, "the page references no files at all"
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []  # no other host, not even preconnect
    assert parsed.inline_scripts == []
    assert parsed.inline_styles == []
    for url in parsed.urls:
        assert url.startswith("/"), f"{url} is not a same-origin path"
        if url.startswith(settings.STATIC_URL):
            relative = url.removeprefix(settings.STATIC_URL)
            assert finders.find(relative), f"{url} is not among the static files"
        else:
            assert client.get(url).status_code == 200, f"{url} does not load"


def test_swagger_ui_initialisation_script_is_served_same_origin(client):
    [script_url] = [
        url for url in _parse(client.get("/api/docs/").content.decode()).urls if "script" in url
    ]

    response = client.get(script_url)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert 'url: "/api/schema/"' in script
    assert re.findall(r"https?://", script) == []


def test_the_schema_the_pages_load_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Lumen API"
    assert "/api/v1/users/profile" in schema["paths"]


def _directive(policy: str, name: str) -> str:
    [directive] = [part.strip() for part in policy.split(";") if part.strip().startswith(name)]
    return directive


def test_only_redoc_may_use_inline_styles_and_no_page_inline_scripts(client):
    # Development and tests send the policy report-only; production enforces the same one.
    docs = client.get("/api/docs/").headers["Content-Security-Policy-Report-Only"]
    redoc = client.get("/api/redoc/").headers["Content-Security-Policy-Report-Only"]

    assert _directive(docs, "style-src") == "style-src 'self'"
    assert _directive(redoc, "style-src") == "style-src 'self' 'unsafe-inline'"
    assert _directive(docs, "script-src") == "script-src 'self'"
    assert _directive(redoc, "script-src") == "script-src 'self'"
    assert _directive(redoc, "worker-src") == "worker-src 'self' blob:"


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_page_blocks_images_from_other_hosts_even_in_development(client, page):
    # Redoc's sidebar always shows a logo from Redocly's CDN; the page's own meta policy, which
    # browsers enforce whatever the header says, keeps that request from leaving.
    html = client.get(page).content.decode()

    assert (
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"img-src 'self' data: blob:; connect-src 'self'\">"
    ) in html
