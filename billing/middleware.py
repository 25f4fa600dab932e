"""Keeps an affiliate's `?ref=code` in a cookie for AFFILIATE_COOKIE_DAYS."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REFERRAL_COOKIE = "lumen_ref"


class ReferralCookieMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("ref", "").strip()[:32]
        response = self.get_response(request)
        if code and request.method == "GET" and code != request.COOKIES.get(REFERRAL_COOKIE):
            from billing.services import affiliate_click_record

            if affiliate_click_record(code=code) is not None:
                response.set_cookie(
                    REFERRAL_COOKIE,
                    code,
                    max_age=settings.AFFILIATE_COOKIE_DAYS * 86400,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
        return response
