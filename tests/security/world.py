"""A small world of users and objects that the security tests act on.

Six actors: anonymous, a student with no ties, the enrolled student, the course's instructor,
another instructor and an admin. One published course owned by the instructor, with an article
lesson and a quiz lesson; the enrolled student has an open quiz attempt, a certificate and a
pending application to teach.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import TeacherApplication, User
from accounts.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    TeacherApplicationFactory,
)
from courses.models import Certificate, Course, Lesson, Quiz, QuizAttempt
from courses.services import learning, quizzes
from courses.tests.factories import CourseFactory, LessonFactory, ModuleFactory, quiz_lesson

ANON = "anonymous"
STUDENT = "student"
ENROLLED = "enrolled"
OWNER = "owner"
INSTRUCTOR = "instructor"
ADMIN = "admin"
ACTORS = (ANON, STUDENT, ENROLLED, OWNER, INSTRUCTOR, ADMIN)


@dataclass
class World:
    users: dict[str, User | None]
    course: Course
    lesson: Lesson
    quiz: Quiz
    attempt: QuizAttempt
    certificate: Certificate
    application: TeacherApplication


def world_build() -> World:
    owner = InstructorFactory()
    enrolled = StudentFactory()
    course = CourseFactory(instructors=[owner])
    module = ModuleFactory(course=course, order=1)
    lesson = LessonFactory(module=module, order=1)
    quiz = quiz_lesson(module, order=2, questions=1)
    learning.enrollment_create(learner=enrolled, course=course)
    attempt, _ = quizzes.quiz_attempt_start(learner=enrolled, quiz=quiz)
    certificate = Certificate.objects.create(
        learner=enrolled,
        course=course,
        learner_name=enrolled.display_name,
        course_title=course.title,
    )
    return World(
        users={
            ANON: None,
            STUDENT: StudentFactory(),
            ENROLLED: enrolled,
            OWNER: owner,
            INSTRUCTOR: InstructorFactory(),
            ADMIN: AdminFactory(),
        },
        course=course,
        lesson=lesson,
        quiz=quiz,
        attempt=attempt,
        certificate=certificate,
        application=TeacherApplicationFactory(applicant=enrolled),
    )
