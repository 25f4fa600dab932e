"""Categories: admins create and change them (the admin site and the API call these)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from qa.defaults import DEFAULT_CATEGORIES
from qa.exceptions import InvalidInputError
from qa.models import Category


@transaction.atomic
def category_create(
    *, name: str, description: str = "", keywords: str = "", position: int = 0
) -> Category:
    """Create a category with a unique name (its slug is derived from the name)."""
    name = (name or "").strip()
    slug = slugify(name.replace("/", "-"))
    if not name or not slug:
        message = "Give the category a name."
        raise InvalidInputError(message, fields={"name": [message]})
    if (
        Category.objects.filter(name__iexact=name).exists()
        or Category.objects.filter(slug=slug).exists()
    ):
        message = f"A category named '{name}' already exists."
        raise InvalidInputError(message, fields={"name": [message]})
    category = Category(
        name=name, slug=slug, description=description.strip(), keywords=keywords, position=position
    )
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def categories_ensure_defaults() -> list[Category]:
    """Create the default categories that do not exist yet (by slug); existing ones are kept."""
    categories = []
    for position, default in enumerate(DEFAULT_CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=default["slug"],
            defaults={
                "name": default["name"],
                "description": default["description"],
                "keywords": ", ".join(default["keywords"]),  # type: ignore[arg-type]  # a list
                "position": position,
            },
        )
        categories.append(category)
    return categories
