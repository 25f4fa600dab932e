"""`seed_load` stage 5: help-center questions with answers, asked and answered by load learners."""

from __future__ import annotations

from datetime import timedelta

from django.utils.html import escape
from django.utils.text import slugify

from core.bulk import LoadContext
from qa.models import Answer, Category, Question
from qa.services.counters import counters_recount

TOPICS = {
    "Python": ["pandas", "asyncio", "virtualenv", "decorators", "type hints", "pytest fixtures"],
    "JavaScript": ["promises", "React hooks", "TypeScript generics", "npm scripts", "closures"],
    "DevOps": ["Docker layers", "Kubernetes probes", "Terraform state", "GitHub Actions cache"],
    "AI/ML": ["overfitting", "embeddings", "learning rates", "tokenizers", "cross-validation"],
    "Data": ["SQL joins", "window functions", "indexes", "CSV encodings", "dbt models"],
    "Design": ["colour contrast", "grid layouts", "font pairing", "design tokens", "icons"],
}
ASKS = ["How do I use", "Why does my code break with", "What is the best way to learn", "Help with"]
DETAILS = [
    "I followed the lesson but get a different result on my machine.",
    "The error message mentions a missing attribute and I do not see why.",
    "Is there a simpler approach than the one in the course?",
    "I tried the documentation's example and it works, mine does not.",
]
REPLIES = [
    "Check the version you installed: the behaviour changed in the latest release.",
    "You are close; move the call inside the function so it runs at the right time.",
    "Print the intermediate value first, the input is not what you expect.",
    "The course's third module covers exactly this, with a worked example.",
]


def seed_questions(ctx: LoadContext) -> str:
    learners = ctx.ranges["learners"]
    # Load learners cannot sign in: any question of theirs was written by this stage.
    if Question.objects.filter(asker_id__gte=learners.start, asker_id__lt=learners.stop).exists():
        return "questions already there"
    wanted = ctx.sizes["questions"]
    rng = ctx.rng("questions")
    categories = []
    for position, name in enumerate(TOPICS):
        category, _ = Category.objects.get_or_create(
            slug=slugify(name.replace("/", "-")), defaults={"name": name, "position": position}
        )
        categories.append((category.pk, name))
    first_question = ctx.writer.next_id(Question)
    answers_of: list[int] = []
    year = 365 * 86400

    def questions():
        for n in range(wanted):
            category_id, name = categories[n % len(categories)]
            subject = rng.choice(TOPICS[name])
            body = f"{rng.choice(DETAILS)} I am working with {subject} in {name}."
            asked = ctx.now - timedelta(seconds=rng.randrange(year))
            answers = rng.choice((0, 1, 1, 2, 3))
            answers_of.append(answers)
            yield (
                first_question + n,
                learners.start + rng.randrange(len(learners)),
                f"{rng.choice(ASKS)} {subject}?",
                body,
                f"<p>{escape(body)}</p>",
                category_id,
                Question.CategorySource.ASKER,
                Question.Status.ANSWERED if answers else Question.Status.OPEN,
                rng.randrange(0, 500),
                asked + timedelta(hours=answers),
                asked,
            )

    ctx.writer.write(
        Question,
        [
            "id",
            "asker_id",
            "title",
            "body",
            "body_html",
            "category_id",
            "category_source",
            "status",
            "view_count",
            "last_activity_at",
            "created_at",
        ],
        questions(),
        total=wanted,
        label="questions",
    )

    def answers():
        for n, count in enumerate(answers_of):
            for _ in range(count):
                body = rng.choice(REPLIES)
                stars = rng.randrange(0, 12)
                yield (
                    first_question + n,
                    learners.start + rng.randrange(len(learners)),
                    body,
                    f"<p>{escape(body)}</p>",
                    stars,
                    stars * rng.randint(3, 5),
                )

    written = ctx.writer.write(
        Answer,
        ["question_id", "author_id", "body", "body_html", "star_count", "star_total"],
        answers(),
        total=sum(answers_of),
        label="answers",
    )
    ctx.writer.reset_sequences(Question, Answer)
    # Rows written in bulk bypass the services: count them as the services would have.
    counters_recount(
        question_ids=Question.objects.filter(pk__gte=first_question).values_list("pk", flat=True)
    )
    return f"{wanted:,} questions, {written:,} answers written"
