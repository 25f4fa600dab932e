"""The README's pictures, captured by the suite from the real pages (`make screenshots` writes
them to docs/screenshots/; a normal run writes them to tests/browser/artifacts/ and checks only
that each page renders). Pictures are the first screen of each page, reduced to a 256-colour
palette so the committed files stay small."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from accounts.services import role_groups_sync
from tests.browser.conftest import ARTIFACTS, DESKTOP, MOBILE, choose_theme, log_in
from tests.browser.test_journey_pages import _world

# LUMEN_SCREENSHOTS_DIR is read by this test only (not a setting): where `make screenshots` puts
# the README's pictures.
OUTPUT = Path(os.environ.get("LUMEN_SCREENSHOTS_DIR") or ARTIFACTS / "readme")
REPOSITORY = Path(__file__).resolve().parents[2]
# Every picture the test below captures, in order; docs/screenshots/ holds exactly these.
CAPTURED = (
    "catalog",
    "lesson-player",
    "lesson-player-mobile",
    "progress-dark",
    "question",
    "study-buddy-high-contrast",
    "admin-course",
    "instructor-analytics",
)


def _capture(page: Page, name: str, *, viewport: dict[str, int] = DESKTOP) -> Path:
    page.set_viewport_size(viewport)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)
    page.set_viewport_size(DESKTOP)
    return path


def test_the_readme_screenshots_are_captured_from_the_running_site(
    page: Page, browser_context: BrowserContext, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    role_groups_sync()
    world = _world()
    course = world["course"]
    finisher = world["users"]["finisher"]
    instructor = world["users"]["instructor"]

    page.goto("/courses/")
    expect(page.get_by_role("link", name="Git from Scratch")).to_be_visible()
    shots = [_capture(page, "catalog")]

    log_in(browser_context, world["users"]["midway"], live_server)
    page.goto(world["paths"]["video-lesson-resumed"][1])
    expect(page.get_by_role("heading", name="Watch: a first commit")).to_be_visible()
    shots.append(_capture(page, "lesson-player"))
    shots.append(_capture(page, "lesson-player-mobile", viewport=MOBILE))

    log_in(browser_context, finisher, live_server)
    page.goto("/progress/")
    expect(page.locator(".badge-card--earned").first).to_be_visible()
    choose_theme(page, "dark")
    shots.append(_capture(page, "progress-dark"))
    choose_theme(page, "light")

    page.goto(world["paths"]["question-detail"][1])
    expect(page.get_by_role("heading", name="1 answer")).to_be_visible()
    shots.append(_capture(page, "question"))

    page.goto(world["paths"]["study-buddy"][1])
    expect(page.locator("#chat-log .ai-chat__message--assistant")).to_be_visible()
    choose_theme(page, "high-contrast")
    shots.append(_capture(page, "study-buddy-high-contrast"))

    Authenticator.objects.create(
        user=instructor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    log_in(browser_context, instructor, live_server)
    page.goto(f"/admin/courses/course/{course.pk}/change/")
    expect(page.get_by_role("heading", name="Change course")).to_be_visible()
    shots.append(_capture(page, "admin-course"))
    page.goto("/teach/analytics/")
    expect(page.get_by_role("heading", name="Your course analytics")).to_be_visible()
    shots.append(_capture(page, "instructor-analytics"))

    assert [shot.stem for shot in shots] == list(CAPTURED)
    for shot in shots:
        with Image.open(shot) as image:
            assert image.width in {DESKTOP["width"], MOBILE["width"]}
        assert shot.stat().st_size < 400_000, f"{shot} is too large for the README"


def test_the_readme_shows_only_pictures_the_suite_captures() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"docs/screenshots/([\w-]+)\.png", readme)
    committed = sorted(path.stem for path in (REPOSITORY / "docs" / "screenshots").glob("*.png"))

    assert len(shown) >= 4
    assert set(shown) <= set(CAPTURED), "README pictures not captured by the suite"
    # No hand-made or stale file sits among the captures the README points to.
    assert committed == sorted(CAPTURED)
