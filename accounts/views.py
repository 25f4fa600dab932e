"""Account pages: profile editing, the colour theme, the application to teach, and the user's
own data (download it, delete the account).

Invalid forms are answered with 422 and the form re-rendered with its errors (Lumen's one
convention; htmx is configured in base.html to swap 422 responses). A rule broken in a service is
answered with the error's own status and its message shown above the form.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts import privacy as account_privacy
from accounts import selectors, services
from accounts.forms import AccountDeleteForm, ProfileForm, TeacherApplicationForm, ThemeForm
from accounts.models import TeacherApplication, User
from core.exceptions import ApplicationError
from core.http import safe_next_url
from core.roles import Role

# Anonymous visitors keep their theme in the session; base.html reads it from there.
THEME_SESSION_KEY = "theme"
TIME_ZONE_OPTIONS = sorted(available_timezones())


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    # The form edits its own copy of the user, so an invalid submission never leaks unsaved
    # values (a display name, a theme) into the page around it.
    user = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            if data.get("avatar") is False:  # "Clear" was ticked: store no file
                data["avatar"] = ""
            services.user_profile_update(user=user, data=data)
            messages.success(request, "Your profile has been saved.")
            return redirect("profile")
        status = 422
    return render(
        request,
        "accounts/profile_edit.html",
        {"form": form, "profile_user": user, "time_zone_options": TIME_ZONE_OPTIONS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def theme_set(request: HttpRequest) -> HttpResponse:
    """Choose light, dark, high-contrast or the device's theme; saved on the user or the session.

    Without JavaScript the header's theme menu posts here and is redirected back; with htmx the
    menu is re-rendered in place and the page switches theme through the `lumen:theme-changed`
    event.
    """
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        theme = form.cleaned_data["theme"]
        if request.user.is_authenticated:
            services.user_profile_update(user=request.user, data={"theme": theme})  # type: ignore[arg-type]
        else:
            request.session[THEME_SESSION_KEY] = theme
        if request.htmx:  # type: ignore[attr-defined]
            response = render(request, "base.html#theme-switcher", {"theme_menu_open": True})
            return trigger_client_event(response, "lumen:theme-changed", {"theme": theme})
        return redirect(safe_next_url(request, request.POST.get("next"), "home"))
    if request.method == "POST":
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "base.html#theme-switcher",
                {"theme_menu_open": True, "theme_error": "Choose one of the themes listed."},
                status=422,
            )
        return render(request, "accounts/theme_set.html", {"form": form}, status=400)
    current = getattr(request.user, "theme", None) or request.session.get(
        THEME_SESSION_KEY, User.Theme.SYSTEM
    )
    form = ThemeForm(initial={"theme": current})
    return render(request, "accounts/theme_set.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def teacher_application_create(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.teacher_application_list(applicant=request.user))  # type: ignore[arg-type]
    has_pending = any(a.status == TeacherApplication.Status.PENDING for a in applications)
    is_student = request.user.role == Role.STUDENT  # type: ignore[union-attr]
    form = TeacherApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.teacher_application_submit(
                    applicant=request.user,  # type: ignore[arg-type]
                    expertise=form.cleaned_data["expertise"],
                    motivation=form.cleaned_data["motivation"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, "Thanks! An admin will review your application.")
                return redirect("teach")
        else:
            status = 422
    return render(
        request,
        "accounts/teacher_application.html",
        {
            "form": form,
            "applications": applications,
            "can_apply": is_student and not has_pending,
            "has_pending": has_pending,
            "is_student": is_student,
        },
        status=status,
    )


def _privacy_page(request: HttpRequest, form: AccountDeleteForm, status: int = 200) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"delete_form": form}, status=status)


@login_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """Your data: download everything Lumen holds about you, or delete your account."""
    return _privacy_page(request, AccountDeleteForm())


@never_cache
@login_required
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    document = account_privacy.user_data_export(user=request.user)  # type: ignore[arg-type]
    response = JsonResponse(document, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    filename = f"lumen-data-{request.user.pk}-{timezone.now():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST)
    if not form.is_valid():
        return _privacy_page(request, form, status=422)
    try:
        account_privacy.user_account_delete(
            user=request.user,  # type: ignore[arg-type]
            password=form.cleaned_data["password"],
        )
    except ApplicationError as error:
        if "password" in error.fields:
            form.add_error("password", error.fields["password"])
        else:
            form.add_error(None, error.message)
        return _privacy_page(request, form, status=error.status_code)
    logout(request)
    messages.success(request, "Your account has been deleted. Thank you for learning with us.")
    return redirect("home")
