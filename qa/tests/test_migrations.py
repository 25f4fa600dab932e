"""A new site starts with the default categories (migration 0003), and admins' own stay theirs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from qa import services
from qa.defaults import DEFAULT_CATEGORIES
from qa.models import Category
from qa.tests.factories import StudentFactory, make_question

pytestmark = pytest.mark.django_db

seed = importlib.import_module("qa.migrations.0003_seed_default_categories")


def test_the_migration_creates_the_default_categories_once() -> None:
    Category.objects.all().delete()  # as before the migration ran

    seed.create_categories(apps, None)
    seed.create_categories(apps, None)

    assert list(Category.objects.values_list("slug", "name")) == [
        (default["slug"], default["name"]) for default in DEFAULT_CATEGORIES
    ]
    assert Category.objects.get(slug="python").keyword_list == DEFAULT_CATEGORIES[1]["keywords"]


def test_the_migration_keeps_what_admins_made_and_its_reverse_keeps_used_categories() -> None:
    Category.objects.all().delete()
    Category.objects.create(name="Python", slug="python-lang", keywords="snake")

    seed.create_categories(apps, None)
    used = Category.objects.get(slug="devops")
    make_question(category=used)
    seed.delete_unused_categories(apps, None)

    assert Category.objects.filter(name="Python").get().slug == "python-lang"
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["devops", "python-lang"]


def test_a_question_on_a_new_site_is_categorised_without_any_setup() -> None:
    Category.objects.all().delete()
    seed.create_categories(apps, None)

    question = services.question_create(
        asker=StudentFactory(),
        title="My Dockerfile build fails on the pip install step",
        body="The container image build stops when installing requirements in the Dockerfile.",
    )

    assert question.category.slug == "devops"
    assert question.category_source in ("classifier", "keywords")
