"""The browser suite: Playwright driving Debian's Chromium against pytest-django's live server.

- Chromium is the system package (`apt-get install -y chromium`), never a Playwright download.
- axe-core (tests/browser/vendor/axe.min.js, vendored from npm by scripts/vendor-static.sh) checks
  every page against WCAG 2.1 A and AA.
- Screenshots of each page land in tests/browser/artifacts/ (ignored by git).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.test import Client

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "vendor" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
THEMES = ["light", "dark", "high-contrast"]
THEME_LABELS = {
    "system": "Match my device",
    "light": "Light",
    "dark": "Dark",
    "high-contrast": "High contrast",
}
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _site_entitlements() -> Iterator[None]:
    """The running site's entitlement rules (billing's plans and purchases, which billing's
    AppConfig.ready registers): unit-test fixtures elsewhere in the same worker put the default
    rules back when they finish, and the live server shares this process."""
    from billing.entitlements import SubscriptionEntitlements
    from courses import entitlements

    previous = entitlements._provider
    entitlements.register_provider(SubscriptionEntitlements())
    yield
    entitlements.register_provider(previous)


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_with_ranges() -> Iterator[None]:
    """The live server answers /media/ itself (Django's _MediaFilesHandler), without HTTP Range
    support, so a browser cannot seek in a video. Serve those files with Lumen's own development
    media view instead, which `make run` uses and which answers Range requests."""
    from django.test import testcases

    from core.media import media_serve

    original = testcases._MediaFilesHandler.serve

    def serve(self: Any, request: Any) -> Any:
        relative = self.file_path(request.path).replace("\\", "/").lstrip("/")
        return media_serve(request, relative)

    testcases._MediaFilesHandler.serve = serve  # type: ignore[method-assign]
    yield
    testcases._MediaFilesHandler.serve = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for one test module.

    Playwright's synchronous API keeps an asyncio loop running in this thread while it is open,
    and Django refuses ORM calls while a loop runs. Everything here is synchronous, so the guard is
    lifted for exactly as long as the browser is open (one module), then restored.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser suite needs Debian's Chromium at {CHROMIUM}: run "
            "`apt-get install -y chromium` (never `playwright install`).",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.fail(
            "The browser suite needs the playwright package: "
            "`.venv/bin/pip install -r requirements-dev.txt`.",
            pytrace=False,
        )
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `sh scripts/vendor-static.sh`.", pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_context(browser: Browser, **options: Any) -> BrowserContext:
    """A new browser profile whose requests in flight `close_context` can wait for."""
    context = browser.new_context(**options)
    in_flight: set[Any] = set()
    # (Playwright takes Python functions as handlers, not built-in methods.)
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))
    context._lumen_in_flight = in_flight  # type: ignore[attr-defined]
    return context


def close_context(context: BrowserContext) -> None:
    """Close a profile without letting its pages reach the server after the test.

    pytest-django's live server lives for the whole session, so a request a page sends as it
    closes (the player's reading report on `visibilitychange`, a timer's heartbeat) would land
    after the test's database is gone, or inside the next test. New requests are refused in the
    browser, and the ones already sent are waited for (their response, or their failure).
    """
    from playwright.sync_api import Error as PlaywrightError

    context.route("**/*", lambda route: route.abort())
    for request in list(getattr(context, "_lumen_in_flight", ())):
        # A request that failed is as finished as one that was answered.
        with contextlib.suppress(PlaywrightError):
            request.response()
    context.close()


@pytest.fixture
def browser_context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) pointed at the live server, with axe available."""
    context = open_context(browser, base_url=live_server.url, viewport=DESKTOP)
    # An init script runs outside the page's Content Security Policy, unlike an injected <script>.
    context.add_init_script(path=str(AXE_SCRIPT))
    context.set_default_timeout(10_000)
    yield context
    close_context(context)


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """A tab that also fails the test on any Content Security Policy violation.

    Outside production the policy is report-only, so a violation would not break the page here;
    Chromium still reports it on the console, and this turns the report into a failure.
    """
    violations: list[str] = []
    tab = browser_context.new_page()
    tab.on(
        "console",
        lambda message: (
            violations.append(f"{tab.url}: {message.text}")
            if "Content Security Policy" in message.text
            # axe-core itself (the test harness, an init script) sets style attributes on some
            # pages while it measures; the site is not at fault for those.
            and not message.location.get("url", "").endswith(AXE_SCRIPT.name)
            else None
        ),
    )
    yield tab
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def log_in(context: BrowserContext, user: Any, live_server: Any) -> None:
    """Sign the browser in as `user` by handing it a real session cookie."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def choose_theme(page: Page, theme: str) -> None:
    """Pick a theme from the header's menu, as a visitor would, then close the menu."""
    from playwright.sync_api import expect

    menu = page.locator("#theme-switcher")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    menu.get_by_role("button", name=THEME_LABELS[theme], exact=True).click()
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    expect(page.get_by_role("button", name=THEME_LABELS[theme], exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#theme-switcher').open")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page with the WCAG 2.1 A/AA rules; return its violations. Finite CSS
    animations are finished first: axe measures a toast fading in at its blended, paler colours,
    not those a reader sees 0.3 s later (infinite ones, such as spinners, are left running)."""
    page.evaluate(
        "() => document.getAnimations().forEach((animation) => {"
        " const end = animation.effect?.getComputedTiming().endTime;"
        " if (Number.isFinite(end)) animation.finish(); })"
    )
    result = page.evaluate(
        "async (tags) => await window.axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


def assert_no_axe_violations(page: Page, label: str = "") -> None:
    """Fail with a readable list when axe finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page)
    if not violations:
        return
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {label or page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:50]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    pytest.fail("\n".join(lines), pytrace=False)


def assert_no_horizontal_scroll(page: Page, width: int = 320) -> None:
    """At `width` CSS pixels the page must fit: no horizontal scrolling (WCAG 1.4.10 reflow)."""
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        # Name the widest offenders, so the failure says what to fix.
        offenders = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit + 0.5)
                .slice(-5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (e.className && typeof e.className === 'string'
                        ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                     + ' (' + Math.round(e.getBoundingClientRect().right) + 'px)')""",
            width,
        )
        pytest.fail(
            f"{page.url} scrolls sideways by {overflow}px at {width}px wide; "
            f"too wide: {', '.join(offenders)}",
            pytrace=False,
        )


def save_screenshots(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at desktop and 390 px mobile widths, in tests/browser/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    # No focus ring left over from the test's last key press in the pictures.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    paths = []
    for viewport_name, viewport in [("desktop", DESKTOP), ("mobile", MOBILE)]:
        page.set_viewport_size(viewport)
        path = ARTIFACTS / f"{slug}-{viewport_name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths


def assert_page_accessible_in_every_theme(page: Page, label: str) -> None:
    """axe-core on one of Lumen's pages in each theme, picked from the header's menu as a person
    would (the choice is saved for a signed-in user); the light theme is left on."""
    for theme in ["dark", "high-contrast", "light"]:
        choose_theme(page, theme)
        assert_no_axe_violations(page, f"{label} in the {theme} theme")


ADMIN_THEMES = ["dark", "light"]


def assert_admin_page_accessible(page: Page, label: str) -> None:
    """axe-core on a Django admin page in the admin's own dark and light themes (its toggle keeps
    the choice in localStorage and on <html data-theme>); the light theme is left on. A user who
    chose Lumen's high-contrast theme gets it in the admin too (over either of those)."""
    for theme in ADMIN_THEMES:
        # The admin's colours fade for a moment (CSS transitions): wait for every one to end,
        # or axe would measure a colour halfway between the two themes.
        page.evaluate(
            "async (theme) => { localStorage.setItem('theme', theme); "
            "document.documentElement.dataset.theme = theme; "
            "await Promise.all(document.getAnimations().map((a) => a.finished)); }",
            theme,
        )
        high_contrast = page.evaluate(
            "() => document.body.classList.contains('lumen-high-contrast')"
        )
        assert_no_axe_violations(
            page,
            f"{label} in the admin's {theme} theme"
            + (" with Lumen's high-contrast theme" if high_contrast else ""),
        )


# --- The keyboard alone ---------------------------------------------------------------------------

FOCUS_IS_VISIBLE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return false;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== "none";
}"""


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator (an outline of 2 px or more, or a ring)."""
    assert page.evaluate(FOCUS_IS_VISIBLE), "no visible focus on " + page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 200) + ' ' + "
        "[':focus', ':focus-visible', ':focus-within'].map((s) => "
        "s + '=' + document.activeElement.matches(s)).join(' ') + ' outline: ' + "
        "getComputedStyle(document.activeElement).outline"
    )


def tab_to(page: Page, selector: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus, checking at each
    stop that the focus is visible; fail after `limit` presses (a trap, or an unreachable
    control)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement !== document.body"):
            assert_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of {key} on {page.url}")


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves focus to the main content."""
    page.keyboard.press("Tab")
    expect_focused = page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    assert expect_focused, f"the first Tab did not reach the skip link on {page.url}"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def assert_no_keyboard_trap(page: Page, *, limit: int = 250) -> None:
    """Tab goes through every control of the page and back out of it: from the top, focus reaches
    the last focusable element, and the next Tab leaves it (no widget keeps the focus)."""
    last = page.evaluate(
        """() => {
          const all = [...document.querySelectorAll(
            'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), '
            + 'select:not([disabled]), textarea:not([disabled]), summary, '
            + '[tabindex]:not([tabindex="-1"])'
          )].filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
                        && !e.closest('details:not([open]) > :not(summary)'));
          const element = all[all.length - 1];
          element.setAttribute('data-last-focusable', '');
          return element.outerHTML.slice(0, 120);
        }"""
    )
    # Start from the first link of the page (the skip link on Lumen's and the admin's pages).
    page.evaluate("() => document.querySelector('a[href]').focus()")
    tab_to(page, "[data-last-focusable]", limit=limit)
    page.keyboard.press("Tab")
    still = page.evaluate("() => document.activeElement.hasAttribute('data-last-focusable')")
    assert not still, f"focus is trapped on {last}"


# --- A real ASGI server (HTTP and WebSockets) -----------------------------------------------------


class AsgiServer:
    def __init__(self, port: int) -> None:
        self.url = f"http://localhost:{port}"


@pytest.fixture
def asgi_server(transactional_db: None, settings: Any) -> Iterator[AsgiServer]:
    """Daphne serving lms.asgi (HTTP and WebSockets) in a forked process on the test database.
    The AI tools use the offline provider, whatever the environment holds."""
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.AI_PROVIDER = "local"
    process = DaphneProcess(
        "localhost", partial(make_application, static_wrapper=ASGIStaticFilesHandler)
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        pytest.fail("the ASGI test server did not start", pytrace=False)
    try:
        yield AsgiServer(process.port.value)
    finally:
        process.terminate()
        process.join()
