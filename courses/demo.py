"""Demo courses for `seed_demo`: six real little courses, a sample video with captions, quizzes,
and the demo student's enrollments and progress (idempotent: a course whose slug exists is left
alone). Everything goes through the services, so events, XP and certificates behave as in real use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from courses import services
from courses.models import CaptionTrack, Course, Lesson, Quiz

SAMPLE_VIDEO = Path(settings.BASE_DIR) / "static" / "samples" / "lumen-sample.webm"
SAMPLE_CAPTIONS = Path(settings.BASE_DIR) / "static" / "samples" / "lumen-sample.en.vtt"
SAMPLE_TRANSCRIPT = (
    "Welcome! This short sample stands in for a lesson video. Lumen saves your place as you "
    "watch, so you can stop at any moment. Come back later, on any device, and the video "
    "resumes where you left it. Captions like these come from WebVTT tracks, and a transcript "
    "sits below the player. Watch to the end, or mark the lesson complete, to move on."
)

# Each course: slug, title, subtitle, category, difficulty, outcomes, description, modules.
# Each module: title, lessons; a lesson is ("article", title, markdown), ("video", title,
# notes) or ("quiz", title, [(kind, text, choices or accepted answers, explanation, skills)]).
DEMO_COURSES: list[dict[str, Any]] = [
    {
        "slug": "python-for-beginners",
        "title": "Python for Beginners",
        "subtitle": "Write your first real programs in the world's friendliest language.",
        "category": "Python",
        "difficulty": Course.Difficulty.BEGINNER,
        "outcomes": (
            "Run Python programs\n"
            "Use variables, strings and numbers\n"
            "Decide with if and repeat with loops"
        ),
        "description": "Python reads almost like English, which makes it the best first "
        "language. In this course you **write code from the first lesson**.",
        "modules": [
            (
                "Getting started",
                [
                    (
                        "article",
                        "Why Python?",
                        "Python is used for web sites, data analysis, automation and machine "
                        "learning. Its syntax is small and readable: indentation shows which "
                        "lines belong together, so programs look the way they work.\n\n"
                        '```python\nprint("Hello, Lumen!")\n```\n\n'
                        "Save that line in `hello.py` and run `python hello.py`.",
                    ),
                    ("video", "Your first program", "Watch how a program runs line by line."),
                    (
                        "article",
                        "Variables and types",
                        "A variable is a name for a value: `age = 31`. Python works out the "
                        'type for you: `31` is an `int`, `3.5` a `float`, `"hi"` a `str`.\n\n'
                        'Use `type(value)` to check, and convert with `int("42")` or '
                        "`str(42)`.",
                    ),
                ],
            ),
            (
                "Making decisions",
                [
                    (
                        "article",
                        "if, elif and else",
                        "Programs choose with `if`:\n\n```python\nif score >= 50:\n    "
                        'print("Passed")\nelse:\n    print("Try again")\n```\n\n'
                        "Comparisons (`==`, `!=`, `<`, `>=`) give `True` or `False`.",
                    ),
                    (
                        "article",
                        "Loops",
                        "`for` repeats for every item: `for name in names: print(name)`. "
                        "`range(5)` gives 0 to 4. `while` repeats as long as a condition "
                        "holds; make sure it eventually stops!",
                    ),
                    (
                        "quiz",
                        "Check your Python basics",
                        [
                            (
                                "single",
                                "What does `type(3.5)` return?",
                                [("float", True), ("int", False), ("str", False)],
                                "`3.5` has a decimal point, so it is a float.",
                                ["Python types"],
                            ),
                            (
                                "true_false",
                                "`range(5)` includes the number 5.",
                                [("True", False), ("False", True)],
                                "`range(5)` stops before 5: it gives 0, 1, 2, 3 and 4.",
                                ["Loops"],
                            ),
                            (
                                "short_answer",
                                "Which keyword starts a branch that runs when no condition "
                                "above it was true?",
                                ["else"],
                                "`else` runs when every `if`/`elif` above it was false.",
                                ["Conditionals"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "modern-javascript",
        "title": "Modern JavaScript",
        "subtitle": "let, const, arrow functions and async code, the way it is written today.",
        "category": "JavaScript",
        "difficulty": Course.Difficulty.INTERMEDIATE,
        "outcomes": (
            "Choose between let and const\n"
            "Write arrow functions\n"
            "Work with promises and async/await"
        ),
        "description": "For people who know some JavaScript and want to write it the modern way.",
        "modules": [
            (
                "The language today",
                [
                    (
                        "article",
                        "let, const and scope",
                        "Use `const` by default and `let` when a variable must change. Both "
                        "are block-scoped: a variable declared inside `{ }` does not exist "
                        "outside it. Avoid `var`, which ignores blocks.",
                    ),
                    (
                        "article",
                        "Arrow functions",
                        "`const double = (n) => n * 2;` is a function in one line. Arrow "
                        "functions do not have their own `this`, which makes them ideal for "
                        "callbacks like `items.map((item) => item.name)`.",
                    ),
                ],
            ),
            (
                "Asynchronous code",
                [
                    (
                        "article",
                        "Promises",
                        "A promise is a value that arrives later. `fetch(url)` returns one; "
                        "`.then()` runs when it resolves and `.catch()` when it fails.",
                    ),
                    (
                        "article",
                        "async and await",
                        "`await` pauses an `async` function until a promise settles, so "
                        "asynchronous code reads top to bottom. Wrap it in `try`/`catch` to "
                        "handle errors.",
                    ),
                    (
                        "quiz",
                        "JavaScript check",
                        [
                            (
                                "single",
                                "Which declaration should you use for a value that never changes?",
                                [("const", True), ("let", False), ("var", False)],
                                "`const` prevents reassignment and signals intent.",
                                ["Variables"],
                            ),
                            (
                                "multiple",
                                "Which of these return or are promises?",
                                [
                                    ("fetch(url)", True),
                                    ("an async function's result", True),
                                    ("[1, 2, 3].map(f)", False),
                                ],
                                "`map` returns an array; `fetch` and async functions return "
                                "promises.",
                                ["Promises"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "docker-essentials",
        "title": "Docker Essentials",
        "subtitle": "Package an application once and run it anywhere.",
        "category": "DevOps",
        "difficulty": Course.Difficulty.INTERMEDIATE,
        "outcomes": ("Explain images and containers\nWrite a Dockerfile\nRun and debug containers"),
        "description": "Containers bundle code with everything it needs to run.",
        "modules": [
            (
                "Images and containers",
                [
                    (
                        "article",
                        "What a container is",
                        "An **image** is a read-only template: your code plus its runtime. "
                        "A **container** is a running instance of an image, isolated from "
                        "other processes but sharing the host's kernel, so it starts in "
                        "milliseconds.",
                    ),
                    (
                        "article",
                        "Writing a Dockerfile",
                        "```dockerfile\nFROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
                        'RUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n```'
                        "\n\nEach line adds a layer; put the lines that change least first so "
                        "builds reuse the cache.",
                    ),
                    (
                        "quiz",
                        "Containers quiz",
                        [
                            (
                                "single",
                                "What is a container?",
                                [
                                    ("A running instance of an image", True),
                                    ("A virtual machine with its own kernel", False),
                                ],
                                "Containers share the host kernel; virtual machines do not.",
                                ["Containers"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "machine-learning-foundations",
        "title": "Machine Learning Foundations",
        "subtitle": "How machines learn from examples, without the hype.",
        "category": "AI/ML",
        "difficulty": Course.Difficulty.BEGINNER,
        "outcomes": (
            "Tell supervised from unsupervised learning\n"
            "Spot overfitting\n"
            "Evaluate a model honestly"
        ),
        "description": "The ideas behind every machine learning system, explained plainly.",
        "modules": [
            (
                "Learning from data",
                [
                    (
                        "article",
                        "Supervised and unsupervised learning",
                        "In **supervised** learning every example has an answer (a label) and "
                        "the model learns to predict it. In **unsupervised** learning there "
                        "are no labels; the model finds structure, such as clusters.",
                    ),
                    (
                        "article",
                        "Overfitting",
                        "A model that memorises its training data scores well on it and badly "
                        "on new data. Keep a test set the model never sees, and prefer simpler "
                        "models until the data proves you need more.",
                    ),
                    (
                        "quiz",
                        "ML basics",
                        [
                            (
                                "true_false",
                                "Clustering customers without labels is supervised learning.",
                                [("True", False), ("False", True)],
                                "Without labels it is unsupervised.",
                                ["Learning types"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "sql-for-data-analysis",
        "title": "SQL for Data Analysis",
        "subtitle": "Ask questions of your data with SELECT, WHERE, GROUP BY and JOIN.",
        "category": "Data",
        "difficulty": Course.Difficulty.BEGINNER,
        "outcomes": ("Filter and sort rows\nSummarise with GROUP BY\nCombine tables with JOIN"),
        "description": "SQL is the language of data. Learn the queries analysts write daily.",
        "modules": [
            (
                "Querying",
                [
                    (
                        "article",
                        "SELECT and WHERE",
                        "`SELECT name, city FROM customers WHERE city = 'Lagos' ORDER BY "
                        "name;` picks columns, filters rows and sorts them.",
                    ),
                    (
                        "article",
                        "GROUP BY",
                        "`SELECT city, COUNT(*) FROM customers GROUP BY city;` counts rows per "
                        "city. Filter groups with `HAVING`, rows with `WHERE`.",
                    ),
                    (
                        "quiz",
                        "SQL check",
                        [
                            (
                                "single",
                                "Which clause filters groups after GROUP BY?",
                                [("HAVING", True), ("WHERE", False), ("ORDER BY", False)],
                                "`WHERE` filters rows before grouping; `HAVING` filters groups.",
                                ["Aggregation"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "accessible-design-basics",
        "title": "Accessible Design Basics",
        "subtitle": "Design interfaces everyone can use.",
        "category": "Design",
        "difficulty": Course.Difficulty.BEGINNER,
        "outcomes": (
            "Check colour contrast\nWrite useful alternative text\nDesign for the keyboard"
        ),
        "description": "One in five people has a disability. Good design includes them.",
        "modules": [
            (
                "Seeing and using",
                [
                    (
                        "article",
                        "Colour contrast",
                        "Body text needs a contrast ratio of at least **4.5:1** with its "
                        "background (3:1 for large text). Never use colour alone to carry "
                        "meaning: add an icon or a word.",
                    ),
                    (
                        "article",
                        "Alternative text",
                        "Describe what an image means in its context, briefly. Decorative "
                        'images get an empty `alt=""` so screen readers skip them.',
                    ),
                    (
                        "quiz",
                        "Accessibility check",
                        [
                            (
                                "single",
                                "What contrast ratio does body text need (WCAG AA)?",
                                [("4.5:1", True), ("2:1", False), ("10:1", False)],
                                "WCAG 2.1 AA asks 4.5:1 for normal text.",
                                ["Contrast"],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    },
]


def _video_lesson_media(lesson: Lesson) -> None:
    if SAMPLE_VIDEO.exists() and not lesson.video_file:
        lesson.video_file.save("lumen-sample.webm", ContentFile(SAMPLE_VIDEO.read_bytes()))
    if SAMPLE_CAPTIONS.exists() and not lesson.captions.exists():
        track = CaptionTrack(lesson=lesson, language="en", label="English", is_default=True)
        track.file.save("lumen-sample.en.vtt", ContentFile(SAMPLE_CAPTIONS.read_bytes()))


def _course_create(data: dict[str, Any], instructor: User) -> Course:
    category = services.category_get_or_create(name=data["category"])
    course = services.course_create(
        instructor=instructor,
        title=data["title"],
        slug=data["slug"],
        subtitle=data["subtitle"],
        description=data["description"],
        category=category,
        difficulty=data["difficulty"],
        what_you_will_learn=data["outcomes"],
    )
    for module_title, lessons in data["modules"]:
        module = services.module_create(course=course, title=module_title)
        for kind, title, content in lessons:
            if kind == "article":
                services.lesson_create(
                    module=module, title=title, kind=Lesson.Kind.ARTICLE, body=content,
                    duration_seconds=300,
                )  # fmt: skip
            elif kind == "video":
                lesson = services.lesson_create(
                    module=module,
                    title=title,
                    kind=Lesson.Kind.VIDEO,
                    body=content,
                    transcript=SAMPLE_TRANSCRIPT,
                    duration_seconds=60,
                    is_free_preview=True,
                )
                _video_lesson_media(lesson)
            else:
                lesson = services.lesson_create(
                    module=module,
                    title=title,
                    kind=Lesson.Kind.QUIZ,
                    quiz_settings={
                        "pass_mark_percent": 60,
                        # The "... check" quizzes say at once whether each answer is right.
                        "feedback": Quiz.Feedback.IMMEDIATE
                        if title.endswith("check") or title.startswith("Check")
                        else Quiz.Feedback.AFTER_SUBMIT,
                    },
                )
                for question_kind, text, answers, explanation, skills in content:
                    choices = answers if question_kind != "short_answer" else ()
                    accepted = answers if question_kind == "short_answer" else ()
                    services.question_create(
                        quiz=lesson.quiz,
                        kind=question_kind,
                        text=text,
                        choices=choices,
                        accepted_answers=accepted,
                        explanation=explanation,
                        skills=skills,
                    )
    course.estimated_hours = services.estimated_hours_from_outline(course=course)
    course.save(update_fields=["estimated_hours"])
    return services.course_publish(course=course)


def _student_progress(student: User) -> None:
    """The demo student is halfway through Python (paused in the video) and started JavaScript."""
    python = Course.objects.get(slug="python-for-beginners")
    javascript = Course.objects.get(slug="modern-javascript")
    for course in (python, javascript):
        services.enrollment_create(learner=student, course=course)
    python_lessons = list(
        Lesson.objects.filter(module__course=python).order_by("module__order", "order")
    )
    services.lesson_complete(learner=student, lesson=python_lessons[0])
    video = python_lessons[1]
    services.lesson_start(learner=student, lesson=video)
    services.lesson_position_save(
        learner=student, lesson=video, position_seconds=24, seconds_spent_delta=24
    )
    first_javascript = (
        Lesson.objects.filter(module__course=javascript).order_by("module__order", "order").first()
    )
    services.lesson_complete(learner=student, lesson=first_javascript)


def seed_courses_demo() -> dict[str, int]:
    """Create the demo courses (skipping those that exist) and the demo student's progress."""
    instructor = User.objects.filter(email="instructor@lumen.localhost").first()
    student = User.objects.filter(email="student@lumen.localhost").first()
    if instructor is None:
        return {"courses": 0}
    created = 0
    for data in DEMO_COURSES:
        if Course.objects.filter(slug=data["slug"]).exists():
            continue
        with transaction.atomic():
            _course_create(data, instructor)
        created += 1
    if student is not None and created:
        with transaction.atomic():
            _student_progress(student)
    return {"courses": created}
