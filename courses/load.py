"""`seed_load` stages 2 and 3: courses with modules and lessons, then enrollments and progress.

Popularity is skewed the way real catalogs are (a few courses hold most learners), so course
pages and leaderboards see both tiny and huge counts.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Min

from core.bulk import LoadContext
from courses.models import Category, Course, Enrollment, Lesson, LessonProgress, Module
from courses.services.counters import course_counts_recount

MODULES_PER_COURSE = 2
TOPICS = [
    ("python", "Python", ["pandas", "asyncio", "typing", "pytest", "Django", "FastAPI"]),
    ("javascript", "JavaScript", ["React", "TypeScript", "Node.js", "Vue", "testing", "bundlers"]),
    ("devops", "DevOps", ["Docker", "Kubernetes", "Terraform", "CI pipelines", "observability"]),
    ("ai-ml", "AI and machine learning", ["regression", "transformers", "embeddings", "PyTorch"]),
    ("data", "Data", ["SQL", "PostgreSQL", "dbt", "data modelling", "Spark", "statistics"]),
    ("design", "Design", ["typography", "accessibility", "Figma", "colour", "UX research"]),
]
LEVELS = ["Foundations of", "Practical", "Advanced", "Mastering", "A tour of", "Production"]
SENTENCES = [
    "We start from a small working example and grow it step by step.",
    "Each idea comes with an exercise you can run on your own machine.",
    "Common mistakes are shown next to the fix, so you recognise them later.",
    "By the end of the lesson you can explain the trade-offs to a colleague.",
    "The reference section lists the functions used, with their arguments.",
]


def _skewed(rng_value: float, size: int) -> int:
    """An index in [0, size) where low indices are far more likely (popular items first)."""
    return min(size - 1, int(size * rng_value**3))


def _course_ids(ctx: LoadContext) -> tuple[int, int, int]:
    found = Course.objects.filter(slug__startswith=f"{ctx.prefix}-course-").aggregate(
        first=Min("pk"), count=Count("pk")
    )
    lessons = Lesson.objects.filter(module__course__slug__startswith=f"{ctx.prefix}-course-")
    first_lesson = lessons.aggregate(first=Min("pk"))["first"]
    return found["count"], found["first"], first_lesson


def seed_courses(ctx: LoadContext) -> str:
    wanted = ctx.sizes["courses"]
    per_course = ctx.sizes["lessons_per_course"]
    count, first_course, first_lesson = _course_ids(ctx)
    if count and count != wanted:
        raise ValueError(
            f"{count:,} courses with the prefix '{ctx.prefix}' exist, {wanted:,} asked for: use "
            "another --prefix or a fresh database."
        )
    status = "already there"
    if not count:
        rng = ctx.rng("courses")
        categories = {}
        for slug, name, _ in TOPICS:
            categories[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
        first_course = ctx.writer.next_id(Course)
        first_module = ctx.writer.next_id(Module)
        first_lesson = ctx.writer.next_id(Lesson)
        instructors = ctx.ranges["instructors"]
        published = ctx.now - timedelta(days=400)
        plans = [Course.Plan.FREE] * 5 + [Course.Plan.BASIC, Course.Plan.PRO, Course.Plan.PREMIUM]

        def courses():
            for n in range(wanted):
                slug, name, subjects = TOPICS[n % len(TOPICS)]
                subject = rng.choice(subjects)
                title = f"{rng.choice(LEVELS)} {subject} ({name}) #{n}"
                ratings = rng.randrange(0, 200)
                yield (
                    first_course + n,
                    title,
                    f"{ctx.prefix}-course-{n}",
                    f"Learn {subject} by building real things.",
                    " ".join(rng.sample(SENTENCES, 3)),
                    categories[slug].pk,
                    rng.choice(list(Course.Difficulty.values)),
                    "en",
                    Course.Status.PUBLISHED,
                    published + timedelta(hours=n % 9000),
                    rng.choice(plans),
                    ratings,
                    int(ratings * rng.uniform(3.0, 5.0)),
                )

        ctx.writer.write(
            Course,
            [
                "id",
                "title",
                "slug",
                "subtitle",
                "description",
                "category_id",
                "difficulty",
                "language",
                "status",
                "published_at",
                "required_plan",
                "rating_count",
                "rating_total",
            ],
            courses(),
            total=wanted,
            label="courses",
        )
        ctx.writer.write(
            Course.instructors.through,
            ["course_id", "user_id"],
            ((first_course + n, instructors[n % len(instructors)]) for n in range(wanted)),
            total=wanted,
            label="course instructors",
        )
        ctx.writer.write(
            Module,
            ["id", "course_id", "title", "order"],
            (
                (
                    first_module + n * MODULES_PER_COURSE + m,
                    first_course + n,
                    f"Part {m + 1}",
                    m + 1,
                )
                for n in range(wanted)
                for m in range(MODULES_PER_COURSE)
            ),
            total=wanted * MODULES_PER_COURSE,
            label="modules",
        )
        per_module = -(-per_course // MODULES_PER_COURSE)

        def lessons():
            for n in range(wanted):
                for k in range(per_course):
                    is_video = k % 5 == 1
                    yield (
                        first_lesson + n * per_course + k,
                        first_module + n * MODULES_PER_COURSE + k // per_module,
                        f"Lesson {k + 1}: {rng.choice(SENTENCES)[:-1].lower()}",
                        Lesson.Kind.VIDEO if is_video else Lesson.Kind.ARTICLE,
                        k % per_module + 1,
                        "/static/samples/lumen-sample.webm" if is_video else "",
                        "" if is_video else "\n\n".join(rng.sample(SENTENCES, 3)),
                        60 + rng.randrange(1200),
                        k == 0,
                    )

        ctx.writer.write(
            Lesson,
            [
                "id",
                "module_id",
                "title",
                "kind",
                "order",
                "video_url",
                "body",
                "duration_seconds",
                "is_free_preview",
            ],
            lessons(),
            total=wanted * per_course,
            label="lessons",
        )
        ctx.writer.reset_sequences(Course, Module, Lesson)
        # Written around the services: the stored counts are recounted from the rows.
        course_counts_recount(course_ids=range(first_course, first_course + wanted))
        status = "written"
    ctx.ranges["courses"] = range(first_course, first_course + wanted)
    ctx.ranges["lessons"] = range(first_lesson, first_lesson + wanted * per_course)
    return f"{wanted:,} courses, {wanted * per_course:,} lessons {status}"


def seed_progress(ctx: LoadContext) -> str:
    """Enrollments until `progress` lesson-progress rows exist; each learner takes distinct
    courses, each enrollment reaches a random point of its course."""
    courses, lessons = ctx.ranges["courses"], ctx.ranges["lessons"]
    learners = ctx.ranges["learners"]
    per_course = ctx.sizes["lessons_per_course"]
    existing = Enrollment.objects.filter(
        course_id__gte=courses.start,
        course_id__lt=courses.stop,
        learner_id__gte=learners.start,
        learner_id__lt=learners.stop,
    ).exists()
    if existing:
        total = LessonProgress.objects.filter(
            learner_id__gte=learners.start, learner_id__lt=learners.stop
        ).count()
        return f"{total:,} progress rows already there"
    wanted = ctx.sizes["progress"]
    rng = ctx.rng("progress")
    plan: list[tuple[int, int, int]] = []  # (learner, course index, lessons reached)
    reached = 0
    round_number = 0
    while reached < wanted and round_number < len(courses):
        for learner in learners:
            if reached >= wanted:
                break
            # A learner's courses: a skewed start, then the next ones; distinct per round.
            start = _skewed(rng.random(), len(courses)) if round_number == 0 else None
            plan.append((learner, start if start is not None else -1, rng.randint(1, per_course)))
            reached += plan[-1][2]
        round_number += 1
    # Resolve each learner's later rounds to the course after their previous one.
    last_course: dict[int, int] = {}
    resolved = []
    for learner, start, count in plan:
        course_index = start if start >= 0 else (last_course[learner] + 1) % len(courses)
        last_course[learner] = course_index
        resolved.append((learner, course_index, count))
    first_enrollment = ctx.writer.next_id(Enrollment)
    day = 86400

    def enrollments():
        for n, (learner, course_index, count) in enumerate(resolved):
            enrolled = ctx.now - timedelta(seconds=rng.randrange(365 * day))
            last_lesson = lessons.start + course_index * per_course + count - 1
            finished = enrolled + timedelta(days=count) if count == per_course else None
            yield (
                first_enrollment + n,
                learner,
                courses.start + course_index,
                enrolled,
                finished,
                last_lesson,
                enrolled + timedelta(days=count),
            )

    ctx.writer.write(
        Enrollment,
        [
            "id",
            "learner_id",
            "course_id",
            "enrolled_at",
            "completed_at",
            "last_lesson_id",
            "last_activity_at",
        ],
        enrollments(),
        total=len(resolved),
        label="enrollments",
    )

    def progress_rows():
        for learner, course_index, count in resolved:
            started = ctx.now - timedelta(seconds=rng.randrange(365 * day))
            first = lessons.start + course_index * per_course
            for k in range(count):
                done = k < count - 1 or count == per_course
                when = started + timedelta(hours=k)
                yield (
                    learner,
                    first + k,
                    when,
                    when + timedelta(minutes=12) if done else None,
                    when + timedelta(minutes=12) if done else None,
                    rng.randrange(60, 1800),
                    0 if done else rng.randrange(0, 600),
                )

    written = ctx.writer.write(
        LessonProgress,
        [
            "learner_id",
            "lesson_id",
            "started_at",
            "completed_at",
            "first_completed_at",
            "seconds_spent",
            "last_position_seconds",
        ],
        progress_rows(),
        total=reached,
        label="lesson progress",
    )
    ctx.writer.reset_sequences(Enrollment, LessonProgress)
    course_counts_recount(course_ids=courses)
    return f"{len(resolved):,} enrollments, {written:,} progress rows written"
