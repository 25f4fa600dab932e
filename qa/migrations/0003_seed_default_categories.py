"""The categories a new site starts with (DevOps, Python, JavaScript, AI/ML, Data, Design,
Career), with the keywords the classifier's fallback uses; admins change them in the admin.

The data is written out here, not imported from qa.defaults, so later edits to the defaults do
not change what this migration did.
"""

from django.db import migrations

CATEGORIES = [
    (
        "devops",
        "DevOps",
        "Deploying, running and automating software: containers, CI/CD, cloud.",
        "docker, dockerfile, container, kubernetes, kubectl, k8s, helm, ci/cd, pipeline, "
        "github actions, gitlab ci, jenkins, nginx, terraform, ansible, aws, ec2, gcp, azure, "
        "deploy, deployment, prometheus, grafana, systemd, linux, ssh, load balancer, devops, "
        "infrastructure",
    ),
    (
        "python",
        "Python",
        "The Python language, its standard library, Django, Flask and FastAPI.",
        "python, pip, venv, virtualenv, django, flask, fastapi, asyncio, pytest, decorator, "
        "pyproject, mypy, pep 8, dataclass, celery, sqlalchemy, python3",
    ),
    (
        "javascript",
        "JavaScript",
        "JavaScript and TypeScript in browsers and Node.js, and their frameworks.",
        "javascript, js, typescript, node, node.js, npm, react, vue, angular, svelte, next.js, "
        "express, dom, promise, async/await, webpack, vite, jest, eslint, json, fetch",
    ),
    (
        "ai-ml",
        "AI/ML",
        "Machine learning, deep learning, language models and their evaluation.",
        "machine learning, deep learning, neural network, model training, pytorch, tensorflow, "
        "keras, scikit-learn, sklearn, llm, language model, transformer, embedding, embeddings, "
        "gradient, overfitting, classifier, fine-tuning, gpu, cuda, prompt, rag, epoch",
    ),
    (
        "data",
        "Data",
        "SQL, pandas, statistics, pipelines, dashboards and visualisation.",
        "sql, query, join, pandas, dataframe, csv, excel, spreadsheet, dashboard, bi, tableau, "
        "power bi, statistics, statistical, etl, airflow, dbt, warehouse, analytics, chart, "
        "postgresql, data pipeline",
    ),
    (
        "design",
        "Design",
        "UI and UX design, accessibility, typography, colour and design tools.",
        "design, designer, ui, ux, figma, sketch, wireframe, prototype, typography, font, "
        "colour, color, contrast, layout, usability, accessibility, wcag, icon, logo, persona, "
        "user research, mockup",
    ),
    (
        "career",
        "Career",
        "Job search, interviews, CVs, salaries, growing and changing careers.",
        "career, job, interview, resume, cv, salary, recruiter, hiring, portfolio, internship, "
        "promotion, manager, offer, linkedin, freelance, mentor, burnout, junior, raise",
    ),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("qa", "Category")
    for position, (slug, name, description, keywords) in enumerate(CATEGORIES):
        if Category.objects.filter(name__iexact=name).exclude(slug=slug).exists():
            continue  # an admin already made a category of that name
        Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "keywords": keywords,
                "position": position,
            },
        )


def delete_unused_categories(apps, schema_editor):
    apps.get_model("qa", "Category").objects.filter(
        slug__in=[slug for slug, *_ in CATEGORIES], questions__isnull=True, follows__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("qa", "0002_question_search_gin_index")]

    operations = [migrations.RunPython(create_categories, delete_unused_categories)]
