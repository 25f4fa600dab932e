"""Demo data for the help center (called by `seed_demo`): categories, questions, answers, ratings.

Idempotent: categories are created once by slug, and a demo question whose title already exists
is skipped with its answers. Everything goes through the services, so reputation, revisions and
follows are exactly what real use would produce.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts import services as account_services
from accounts.models import User
from qa import services
from qa.models import Category, Question

DEMO_MEMBERS = [
    ("student@lumen.localhost", "Sam Student"),
    ("maya@lumen.localhost", "Maya Okafor"),
    ("omar@lumen.localhost", "Omar Haddad"),
    ("lin@lumen.localhost", "Lin Zhang"),
    ("jo@lumen.localhost", "Jo Fischer"),
]

# (asker, category slug or None for the classifier, title, body, tags, answers)
# answers: (author, body, stars given by the others, accepted?, XP the asker awards or None)
DEMO_QUESTIONS: list[tuple[str, str | None, str, str, list[str], list[tuple[Any, ...]]]] = [
    (
        "student@lumen.localhost",
        "devops",
        "Docker container exits immediately after docker run",
        "My image builds fine, but `docker run myapp` stops right away with exit code 0.\n\n"
        '```dockerfile\nFROM python:3.11-slim\nCOPY . /app\nCMD ["sh", "/app/start.sh"]\n```\n\n'
        "`start.sh` starts gunicorn with `--daemon`. What am I missing?",
        ["docker", "gunicorn"],
        [
            (
                "omar@lumen.localhost",
                "A container lives as long as its main process. `--daemon` makes gunicorn fork "
                "into the background and the shell script then exits, so the container stops.\n\n"
                "Drop `--daemon` and `exec` the server so it becomes PID 1 and gets signals:\n\n"
                "```sh\nexec gunicorn app.wsgi --bind 0.0.0.0:8000\n```",
                [5, 5, 4],
                True,
                9,
            ),
            (
                "lin@lumen.localhost",
                "Run `docker logs <container>` first: it shows what the process printed before "
                "it exited, which usually tells you why.",
                [4, 3],
                False,
                3,
            ),
        ],
    ),
    (
        "maya@lumen.localhost",
        "python",
        "Why does my default list argument keep old values between calls?",
        "```python\ndef add(item, items=[]):\n    items.append(item)\n    return items\n```\n\n"
        "Calling `add(1)` then `add(2)` returns `[1, 2]`. I expected `[2]`.",
        ["functions"],
        [
            (
                "jo@lumen.localhost",
                "Default values are evaluated once, when `def` runs, so every call shares the "
                "same list. Use `None` as the default and create the list inside:\n\n"
                "```python\ndef add(item, items=None):\n"
                "    items = [] if items is None else items\n"
                "    items.append(item)\n    return items\n```",
                [5, 5, 5, 4],
                True,
                10,
            ),
        ],
    ),
    (
        "omar@lumen.localhost",
        None,
        "React useEffect runs twice and sends duplicate fetch requests",
        "In development my component fetches `/api/courses` twice on mount. In production it "
        "happens once. Is this a bug in my `useEffect`?",
        ["react", "hooks"],
        [
            (
                "maya@lumen.localhost",
                "It is React 18's StrictMode: in development it mounts, unmounts and remounts "
                "components to surface effects without cleanup. Return a cleanup that aborts the "
                "request (`AbortController`) and the double call becomes harmless.",
                [5, 4],
                True,
                None,
            ),
        ],
    ),
    (
        "lin@lumen.localhost",
        "ai-ml",
        "Validation loss goes up while training loss keeps going down",
        "Training a small CNN on 5,000 images: after epoch 8 the validation loss rises while "
        "training loss keeps falling. Accuracy on the training set is 99%.",
        ["overfitting", "pytorch"],
        [
            (
                "omar@lumen.localhost",
                "That is overfitting. Try, in this order: data augmentation (random crops and "
                "flips), weight decay, dropout before the classifier, and early stopping on the "
                "validation loss. A pretrained backbone usually helps most with 5,000 images.",
                [5, 4, 4],
                False,
                None,
            ),
            (
                "jo@lumen.localhost",
                "Also check that the validation images are preprocessed exactly like the "
                "training ones (same normalisation), otherwise the gap can be an artefact.",
                [4],
                False,
                None,
            ),
        ],
    ),
    (
        "jo@lumen.localhost",
        "data",
        "Rows disappear when I LEFT JOIN and filter on the joined table",
        "```sql\nSELECT c.name, o.total\nFROM customers c\n"
        "LEFT JOIN orders o ON o.customer_id = c.id\n"
        "WHERE o.created_at > '2026-01-01';\n```\n\nCustomers without orders vanish. Why?",
        ["sql", "joins"],
        [
            (
                "lin@lumen.localhost",
                "The `WHERE` runs after the join, and for customers without orders "
                "`o.created_at` is NULL, so the condition removes them: your LEFT JOIN behaves "
                "like an INNER JOIN. Move the condition into the `ON` clause:\n\n"
                "```sql\nLEFT JOIN orders o\n"
                "  ON o.customer_id = c.id AND o.created_at > '2026-01-01'\n```",
                [5, 5],
                True,
                8,
            ),
        ],
    ),
    (
        "student@lumen.localhost",
        "design",
        "What colour contrast do I need for text on a coloured button?",
        "Our designer picked white text on a light orange button. It looks fine to me, but a "
        "reviewer says it fails WCAG. How do I check?",
        ["accessibility", "colour"],
        [
            (
                "maya@lumen.localhost",
                "WCAG 2.1 AA asks for 4.5:1 for normal text and 3:1 for large text (24px, or "
                "19px bold). White on light orange is usually around 2:1. Measure it with a "
                "contrast checker and darken the orange until it passes.",
                [5, 4],
                True,
                7,
            ),
        ],
    ),
    (
        "maya@lumen.localhost",
        "career",
        "How do I explain a two-year gap in my CV when applying for junior developer jobs?",
        "I cared for a family member for two years and learned to code in the evenings. "
        "Should I mention the gap at all?",
        ["cv", "job-search"],
        [
            (
                "student@lumen.localhost",
                'Be brief and honest: one line in the CV ("Career break: family care; studied '
                'web development") and a sentence in interviews. Then move to what you built '
                "in that time. Recruiters mind unexplained gaps far more than explained ones.",
                [5, 5, 4],
                False,
                None,
            ),
        ],
    ),
    (
        "omar@lumen.localhost",
        "javascript",
        "Why does my async function return a Promise instead of the data?",
        "```js\nasync function load() {\n  const response = await fetch('/api/courses');\n"
        "  return response.json();\n}\nconsole.log(load());\n```\n\nThe console shows "
        "`Promise {<pending>}`.",
        ["async-await", "fetch"],
        [
            (
                "jo@lumen.localhost",
                "An `async` function always returns a promise. Await it (inside another async "
                "function) or use `.then`:\n\n"
                "```js\nload().then((courses) => console.log(courses));\n```",
                [4, 4],
                True,
                6,
            ),
        ],
    ),
    (
        "lin@lumen.localhost",
        None,
        "pandas SettingWithCopyWarning when I add a column to a filtered DataFrame",
        "`recent = df[df.year > 2020]` then `recent['ratio'] = recent.a / recent.b` warns "
        '"A value is trying to be set on a copy of a slice". Is my data wrong?',
        ["pandas"],
        [],
    ),
    (
        "jo@lumen.localhost",
        "devops",
        "Kubernetes pod stuck in CrashLoopBackOff with empty logs",
        "`kubectl logs` shows nothing and `kubectl describe pod` says back-off restarting "
        "failed container. How do I find out what is wrong?",
        ["kubernetes"],
        [
            (
                "omar@lumen.localhost",
                "Use `kubectl logs <pod> --previous` to see the logs of the crashed container, "
                "and check the exit code under Last State in `describe`. 137 means it was "
                "killed for memory (raise the limit); 1 is usually a config error.",
                [5],
                False,
                None,
            ),
        ],
    ),
]


def _member(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # Demo learners other than the seeded student cannot sign in (no usable password).
        user = account_services.user_create(email=email, password=None, display_name=name)
    return user


@transaction.atomic
def seed_qa_demo() -> dict[str, int]:
    """Create the default categories and ~10 demo questions with answers, ratings and awards."""
    categories = {category.slug: category for category in services.categories_ensure_defaults()}
    members = {email: _member(email, name) for email, name in DEMO_MEMBERS}
    created_questions = created_answers = 0
    for asker_email, slug, title, body, tags, answers in DEMO_QUESTIONS:
        if Question.objects.filter(title=title).exists():
            continue
        asker = members[asker_email]
        question = services.question_create(
            asker=asker,
            title=title,
            body=body,
            category=categories.get(slug) if slug else None,
            tags=tags,
        )
        created_questions += 1
        for author_email, answer_body, stars, accepted, xp in answers:
            author = members[author_email]
            answer = services.answer_create(author=author, question=question, body=answer_body)
            created_answers += 1
            raters = [member for member in members.values() if member.pk != author.pk]
            for rater, value in zip(raters, stars, strict=False):
                services.answer_star(answer=answer, rater=rater, stars=value)
            if xp:
                services.answer_rate(answer=answer, asker=asker, xp=xp)
            if accepted:
                services.answer_accept(answer=answer, actor=asker)
    return {
        "categories": Category.objects.count(),
        "questions": created_questions,
        "answers": created_answers,
    }
