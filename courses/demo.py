"""Demo catalog for `make run` (called by `seed_demo` through settings.DEMO_SEEDERS).

Six published courses across categories, each with modules of article, video and quiz lessons,
written through the authoring services; the demo student is enrolled in three of them with some
progress (one finished, with its certificate). Safe to run again: existing courses are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from courses import services
from courses.models import Course, Lesson

# Bundled with the static files, so the browser tests can play the sample from the live server.
MEDIA_SOURCE = Path(settings.BASE_DIR) / "static" / "courses" / "demo"
VIDEO_NAME = "demo/sample-lesson.webm"
CAPTIONS_NAME = "demo/sample-lesson.en.vtt"
VIDEO_SECONDS = 60
TRANSCRIPT = (
    "Welcome! This short video shows how a Lumen lesson plays.\n\n"
    "Captions like these come from a WebVTT file, and you can turn them on or off in the "
    "player. Your position is saved every few seconds, so you can leave and pick up right here "
    "later.\n\n"
    "The full transcript is below the video, for reading, searching or using a screen reader. "
    "Watch at least ninety percent of a video and the lesson is ticked off as complete. You can "
    "also mark any lesson complete yourself. See you in the next lesson!"
)

# (kind, title, body-or-None) per lesson; quizzes: list of (kind, text, choices/answers, why).
Quiz = list[tuple[str, str, Any, str]]


def _article(title: str, body: str) -> tuple[str, str, str]:
    return ("article", title, body)


def _video(title: str) -> tuple[str, str, str]:
    return ("video", title, "")


COURSES: list[dict[str, Any]] = [
    {
        "slug": "python-from-zero",
        "title": "Python from zero",
        "subtitle": "Write real programs with Python 3, one small step at a time.",
        "category": "Python",
        "difficulty": Course.Difficulty.BEGINNER,
        "tags": ["python", "programming"],
        "what_you_will_learn": (
            "Run Python code and read error messages\nUse variables, lists and dictionaries\n"
            "Write functions that others can reuse"
        ),
        "description": (
            "Python is the friendliest way into programming. This course starts from nothing and "
            "ends with you writing small, useful programs.\n\nNo installation needed to start: "
            "every example runs in any Python 3.11 interpreter."
        ),
        "modules": [
            (
                "Getting started",
                [
                    _video("Welcome to the course"),
                    _article(
                        "Your first program",
                        "Every Python program is a text file of statements run from top to "
                        'bottom.\n\n```python\nprint("Hello, world!")\n```\n\n`print` is a '
                        "*function*: you call it with parentheses, and the text in quotes is a "
                        "*string*. Change the text, run it again, and see what happens.\n\n"
                        "When something goes wrong Python prints a **traceback**. Read it from "
                        "the bottom up: the last line names the error, the lines above say where "
                        "it happened.",
                    ),
                    _article(
                        "Variables and types",
                        "A variable is a name for a value:\n\n```python\nprice = 12.5\n"
                        "quantity = 3\ntotal = price * quantity\n```\n\nPython works out the "
                        'type from the value: `12.5` is a `float`, `3` an `int`, `"3"` a '
                        "`str`. Adding a number to a string raises a `TypeError`; convert first "
                        'with `int("3")` or `str(3)`.',
                    ),
                ],
                [
                    (
                        "single",
                        "What does `type(3.0)` return?",
                        [("int", False), ("float", True), ("str", False)],
                        "`3.0` has a decimal point, so it is a float.",
                    ),
                    (
                        "true_false",
                        "Python reads a traceback's most useful line at the bottom.",
                        [("True", True), ("False", False)],
                        "The last line names the exception and its message.",
                    ),
                    (
                        "short_answer",
                        'Which built-in function turns the string `"42"` into a number?',
                        ["int", "int()"],
                        '`int("42")` returns the integer 42.',
                    ),
                ],
            ),
            (
                "Collections and functions",
                [
                    _article(
                        "Lists and dictionaries",
                        "A **list** keeps values in order: `scores = [7, 9, 4]`; `scores[0]` "
                        'is `7`.\n\nA **dictionary** maps keys to values: `ages = {"ana": 31}`;'
                        ' `ages["ana"]` is `31`.\n\nLoop over either with `for`:\n\n```python\n'
                        "for name, age in ages.items():\n    print(name, age)\n```",
                    ),
                    _article(
                        "Writing functions",
                        "Functions give a name to a piece of work:\n\n```python\ndef "
                        "average(numbers):\n    return sum(numbers) / len(numbers)\n```\n\n"
                        "Keep functions small, give them clear names, and return values instead "
                        "of printing them, so other code can reuse the result.",
                    ),
                ],
                None,
            ),
        ],
    },
    {
        "slug": "modern-javascript",
        "title": "Modern JavaScript",
        "subtitle": "The language of the web, from `let` to `async`/`await`.",
        "category": "JavaScript",
        "difficulty": Course.Difficulty.INTERMEDIATE,
        "tags": ["javascript", "web"],
        "what_you_will_learn": (
            "Use let, const and arrow functions\nWork with arrays using map and filter\n"
            "Write asynchronous code with promises and async/await"
        ),
        "description": "A practical tour of the JavaScript every front-end developer uses daily.",
        "modules": [
            (
                "The essentials",
                [
                    _video("How JavaScript runs in the browser"),
                    _article(
                        "let, const and scope",
                        "Use `const` by default and `let` when a value must change; avoid "
                        "`var`, whose function scope surprises people.\n\n```js\nconst limit = "
                        "10;\nlet count = 0;\n```\n\nBoth are *block scoped*: a variable "
                        "declared inside `{ }` does not exist outside it.",
                    ),
                ],
                [
                    (
                        "single",
                        "Which declaration cannot be reassigned?",
                        [("var", False), ("let", False), ("const", True)],
                        "`const` bindings cannot be reassigned (objects they hold can change).",
                    ),
                    (
                        "multiple",
                        "Which of these are block scoped?",
                        [("let", True), ("const", True), ("var", False)],
                        "`var` is function scoped.",
                    ),
                ],
            ),
            (
                "Asynchronous code",
                [
                    _article(
                        "Promises and async/await",
                        "A promise stands for a value that arrives later. `await` pauses an "
                        "`async` function until it does:\n\n```js\nasync function load() {\n"
                        '  const response = await fetch("/api/v1/courses");\n  return '
                        "response.json();\n}\n```\n\nWrap awaits in `try`/`catch` to handle "
                        "network errors.",
                    ),
                ],
                None,
            ),
        ],
    },
    {
        "slug": "devops-foundations",
        "title": "DevOps foundations",
        "subtitle": "Containers, CI pipelines and deployments you can trust.",
        "category": "DevOps",
        "difficulty": Course.Difficulty.INTERMEDIATE,
        "tags": ["docker", "ci"],
        "what_you_will_learn": (
            "Package an application in a container\nRun tests on every push\nDeploy without "
            "downtime"
        ),
        "description": "From `git push` to production, automated and repeatable.",
        "modules": [
            (
                "Containers",
                [
                    _video("Why containers?"),
                    _article(
                        "Writing a Dockerfile",
                        "A Dockerfile lists the steps that build an image:\n\n```dockerfile\n"
                        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip "
                        'install -r requirements.txt\nCOPY . .\nCMD ["gunicorn", '
                        '"lms.wsgi"]\n```\n\nCopy the requirements first: Docker caches each '
                        "step, so dependencies are reinstalled only when they change.",
                    ),
                ],
                [
                    (
                        "true_false",
                        "Copying requirements.txt before the code makes rebuilds faster.",
                        [("True", True), ("False", False)],
                        "The dependency layer stays cached while only the code changes.",
                    ),
                    (
                        "single",
                        "Which instruction sets the command a container runs by default?",
                        [("RUN", False), ("CMD", True), ("COPY", False)],
                        "`RUN` executes at build time; `CMD` at container start.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "machine-learning-basics",
        "title": "Machine learning basics",
        "subtitle": "How models learn from data, without the hype.",
        "category": "AI and machine learning",
        "difficulty": Course.Difficulty.BEGINNER,
        "tags": ["machine-learning", "python"],
        "what_you_will_learn": (
            "Tell supervised from unsupervised learning\nSplit data into training and test sets\n"
            "Recognise overfitting"
        ),
        "description": "The ideas behind machine learning, explained with small examples.",
        "modules": [
            (
                "Learning from examples",
                [
                    _article(
                        "What is a model?",
                        "A model is a function with adjustable parameters. *Training* adjusts "
                        "them so the model's outputs match known answers (labels).\n\nIn "
                        "**supervised** learning every example has a label; in "
                        "**unsupervised** learning the model looks for structure on its own, "
                        "such as clusters.",
                    ),
                    _video("A model learns, step by step"),
                    _article(
                        "Training and test data",
                        "Always keep some data aside. A model that scores 99% on the data it "
                        "trained on but 60% on new data has **overfitted**: it memorised "
                        "instead of learning. A typical split is 80% training, 20% test.",
                    ),
                ],
                [
                    (
                        "single",
                        "A model is excellent on training data and poor on new data. This is:",
                        [("Underfitting", False), ("Overfitting", True), ("Regularisation", False)],
                        "It memorised the training examples.",
                    ),
                    (
                        "short_answer",
                        "Learning with labelled examples is called ____ learning.",
                        ["supervised"],
                        "Labels supervise the training.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "data-analysis-with-pandas",
        "title": "Data analysis with pandas",
        "subtitle": "Load, clean and summarise tables of data in Python.",
        "category": "Data",
        "difficulty": Course.Difficulty.INTERMEDIATE,
        "tags": ["pandas", "python", "data"],
        "required_plan": Course.Plan.PRO,
        "what_you_will_learn": (
            "Load CSV files into DataFrames\nFilter, group and aggregate\nHandle missing values"
        ),
        "description": "The everyday pandas toolkit for analysts and engineers.",
        "modules": [
            (
                "DataFrames",
                [
                    _video("Meet the DataFrame"),
                    _article(
                        "Grouping and aggregating",
                        "`groupby` splits a table, applies a function, and combines the "
                        'results:\n\n```python\nsales.groupby("region")["amount"].sum()\n'
                        '```\n\nUse `.agg(["sum", "mean"])` for several summaries at once.',
                    ),
                ],
                [
                    (
                        "single",
                        "Which method removes rows with missing values?",
                        [("dropna", True), ("fillna", False), ("isna", False)],
                        "`fillna` replaces them; `isna` only detects them.",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "design-for-everyone",
        "title": "Design for everyone",
        "subtitle": "Accessible, readable interfaces that work for all users.",
        "category": "Design",
        "difficulty": Course.Difficulty.BEGINNER,
        "tags": ["accessibility", "ux"],
        "what_you_will_learn": (
            "Choose colours with enough contrast\nWrite useful labels and alt text\nDesign for "
            "keyboards and screen readers"
        ),
        "description": "Good design includes everyone. Learn the habits that make it so.",
        "modules": [
            (
                "Foundations",
                [
                    _article(
                        "Contrast and colour",
                        "Text needs a contrast ratio of at least **4.5:1** against its "
                        "background (3:1 for large text) to meet WCAG AA.\n\nNever use colour "
                        "alone to carry meaning: pair red errors with an icon or the word "
                        '"Error".',
                    ),
                    _video("Navigating with a keyboard"),
                ],
                [
                    (
                        "single",
                        "The minimum WCAG AA contrast for body text is:",
                        [("3:1", False), ("4.5:1", True), ("7:1", False)],
                        "7:1 is the stricter AAA level.",
                    ),
                ],
            ),
        ],
    },
]


def _media_ensure() -> None:
    """Put the bundled sample video and captions in the media storage once."""
    for name, source in (
        (VIDEO_NAME, "sample-lesson.webm"),
        (CAPTIONS_NAME, "sample-lesson.en.vtt"),
    ):
        if not default_storage.exists(name):
            with (MEDIA_SOURCE / source).open("rb") as handle:
                default_storage.save(name, File(handle))


def _course_create(spec: dict[str, Any], instructor: User) -> Course:
    category = services.category_get_or_create(name=spec["category"])
    course = services.course_create(
        instructor=instructor,
        title=spec["title"],
        slug=spec["slug"],
        subtitle=spec["subtitle"],
        description=spec["description"],
        category=category,
        difficulty=spec["difficulty"],
        required_plan=spec.get("required_plan", Course.Plan.FREE),
        what_you_will_learn=spec["what_you_will_learn"],
        tags=services.tags_get_or_create(names=spec["tags"]),
    )
    for module_title, lessons, quiz in spec["modules"]:
        module = services.module_create(course=course, title=module_title)
        for position, (kind, title, body) in enumerate(lessons):
            if kind == "video":
                lesson = services.lesson_create(
                    module=module,
                    title=title,
                    kind=Lesson.Kind.VIDEO,
                    video_file=VIDEO_NAME,
                    transcript=TRANSCRIPT,
                    duration_seconds=VIDEO_SECONDS,
                    is_free_preview=position == 0,
                )
                lesson.captions.create(
                    file=CAPTIONS_NAME, language="en", label="English", is_default=True
                )
            else:
                services.lesson_create(
                    module=module,
                    title=title,
                    kind=Lesson.Kind.ARTICLE,
                    body=body,
                    duration_seconds=max(len(body.split()) * 60 // 200, 60),
                    is_free_preview=position == 0,
                )
        if quiz:
            lesson = services.lesson_create(
                module=module,
                title=f"Check your understanding: {module_title.lower()}",
                kind=Lesson.Kind.QUIZ,
                duration_seconds=180,
                quiz_settings={"pass_mark_percent": 60, "max_attempts": 5},
            )
            for kind, text, answers, explanation in quiz:
                if kind == "short_answer":
                    services.question_create(
                        quiz=lesson.quiz,
                        kind=kind,
                        text=text,
                        accepted_answers=answers,
                        explanation=explanation,
                    )
                else:
                    services.question_create(
                        quiz=lesson.quiz,
                        kind=kind,
                        text=text,
                        choices=answers,
                        explanation=explanation,
                    )
    return services.course_publish(course=course)


def _progress(student: User, course: Course, *, completed: int, position: int = 0) -> None:
    """Enroll the student and complete the first `completed` non-quiz lessons; leave the next
    video (if any) at `position` seconds."""
    services.enrollment_create(learner=student, course=course)
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .exclude(kind=Lesson.Kind.QUIZ)
        .order_by("module__order", "order")
    )
    for lesson in lessons[:completed]:
        services.lesson_complete(learner=student, lesson=lesson)
    upcoming = lessons[completed : completed + 1]
    if upcoming and upcoming[0].kind == Lesson.Kind.VIDEO and position:
        services.lesson_position_save(
            learner=student, lesson=upcoming[0], position_seconds=position
        )
    elif upcoming:
        services.lesson_start(learner=student, lesson=upcoming[0])


def _finish(student: User, course: Course) -> None:
    """Complete every lesson of the course, passing its quizzes with right answers."""
    services.enrollment_create(learner=student, course=course)
    for lesson in Lesson.objects.filter(module__course=course).order_by("module__order", "order"):
        if lesson.kind == Lesson.Kind.QUIZ:
            attempt, _ = services.quiz_attempt_start(learner=student, quiz=lesson.quiz)
            answers: dict[str, Any] = {}
            for question in lesson.quiz.questions.prefetch_related("choices"):
                right = [choice.pk for choice in question.choices.all() if choice.is_correct]
                if question.kind == "short_answer":
                    answers[str(question.pk)] = question.accepted_answers[0]
                elif question.kind == "multiple":
                    answers[str(question.pk)] = right
                else:
                    answers[str(question.pk)] = right[0]
            services.quiz_attempt_submit(learner=student, attempt=attempt, answers=answers)
        else:
            services.lesson_complete(learner=student, lesson=lesson)


def seed(*, stdout: TextIO | None = None) -> None:
    """Create the demo catalog and the demo student's learning (keeps what already exists)."""
    instructor = User.objects.filter(email="instructor@lumen.localhost").first()
    student = User.objects.filter(email="student@lumen.localhost").first()
    if instructor is None or student is None:
        return
    _media_ensure()
    created = []
    with transaction.atomic():
        for spec in COURSES:
            if not Course.objects.filter(slug=spec["slug"]).exists():
                _course_create(spec, instructor)
                created.append(spec["slug"])
        courses = {course.slug: course for course in Course.objects.filter(slug__in=created)}
        if "python-from-zero" in courses:
            _progress(student, courses["python-from-zero"], completed=2)
        if "modern-javascript" in courses:
            _progress(student, courses["modern-javascript"], completed=0, position=25)
        if "design-for-everyone" in courses:
            _finish(student, courses["design-for-everyone"])
    if stdout is not None:
        stdout.write(f"demo courses: {len(created)} created, {len(COURSES) - len(created)} kept")
