"""HTML forms for accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.models import TeacherApplication, User
from core.uploads import ImageUploadField

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_CONTENT_TYPES = "image/jpeg,image/png,image/webp,image/gif"
AVATAR_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
AVATAR_MAX_PIXELS = 4096  # on each side


class AvatarField(ImageUploadField):
    """A JPG, PNG, WebP or GIF (by content) of at most 2 MB and 4096x4096 pixels; SVG and
    decompression bombs are refused with their own messages."""

    formats = AVATAR_FORMATS
    max_bytes = AVATAR_MAX_BYTES
    max_width = AVATAR_MAX_PIXELS
    max_height = AVATAR_MAX_PIXELS


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        max_length=80,
        required=False,
        label="Display name",
        help_text="Shown to other learners. Leave empty to use the start of your email.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def signup(self, request: HttpRequest, user: Any) -> None:
        """allauth calls this after saving; the adapter already stored the display name."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "avatar", "time_zone", "bio", "theme"]
        field_classes = {"avatar": AvatarField}
        labels = {
            "display_name": "Display name",
            "avatar": "Avatar",
            "time_zone": "Time zone",
            "bio": "About you",
            "theme": "Colour theme",
        }
        help_texts = {
            "display_name": "Shown to other learners. Leave empty to use the start of your email.",
            "avatar": "A JPG, PNG, WebP or GIF image of at most 2 MB and 4096x4096 pixels.",
            "time_zone": "An IANA time zone such as Europe/Paris or America/New_York; "
            "streaks and deadlines follow it.",
            "bio": "A few words for your profile, up to 2,000 characters.",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "avatar": forms.ClearableFileInput(attrs={"accept": AVATAR_CONTENT_TYPES}),
            # A free-text field with suggestions: the datalist is rendered by the page.
            "time_zone": forms.TextInput(
                attrs={"list": "time-zone-options", "autocomplete": "off", "spellcheck": "false"}
            ),
            "bio": forms.Textarea(attrs={"rows": 5}),
            "theme": forms.RadioSelect,
        }


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(
        choices=User.Theme.choices,
        label="Colour theme",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a colour theme.",
            "invalid_choice": "Choose one of the themes listed.",
        },
    )


class TeacherApplicationForm(forms.ModelForm):
    class Meta:
        model = TeacherApplication
        fields = ["expertise", "motivation"]
        labels = {
            "expertise": "What would you teach?",
            "motivation": "Why do you want to teach, and how do you teach?",
        }
        help_texts = {
            "expertise": "A subject or skill, for example “Python for data analysis”.",
            "motivation": "Your experience, the learners you have in mind and how you explain "
            "things. Up to 4,000 characters.",
        }
        widgets = {"motivation": forms.Textarea(attrs={"rows": 6})}


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm it is you."},
    )
    confirm = forms.BooleanField(
        label="I understand that my account and personal data will be deleted for good.",
        error_messages={"required": "Tick the box to confirm you want your account deleted."},
    )
