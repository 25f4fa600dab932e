"""Account pages: profile editing and the application to teach."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import ProfileForm, TeacherApplicationForm
from accounts.models import TeacherApplication
from core.exceptions import ApplicationError


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(
            user=request.user,  # type: ignore[arg-type]
            data={name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def teacher_application_create(request: HttpRequest) -> HttpResponse:
    applications = TeacherApplication.objects.filter(applicant=request.user).order_by("-created_at")
    form = TeacherApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.teacher_application_submit(
                applicant=request.user,  # type: ignore[arg-type]
                expertise=form.cleaned_data["expertise"],
                motivation=form.cleaned_data["motivation"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Thanks! An admin will review your application.")
            return redirect("teach")
    return render(
        request, "accounts/teacher_application.html", {"form": form, "applications": applications}
    )
