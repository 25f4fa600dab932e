"""What each role may do in the Django admin, as Django permissions on the role's group.

Later apps add their models' permissions here ("app_label.codename"); permissions whose model
does not exist yet are skipped, so the table can name them before the model lands.
"""

from core.roles import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.STUDENT: [],
    Role.INSTRUCTOR: [
        # Not accounts.view_teacherapplication: applications (e-mail, motivation) are reviewed
        # by admins only, as in the API (the access-control matrix checks both).
        # Courses: the admin narrows each of these to the instructor's own courses.
        "courses.view_category",
        "courses.view_tag",
        "courses.add_tag",
        "courses.view_skill",
        "courses.add_skill",
        *(
            f"courses.{action}_{model}"
            for model in (
                "course",
                "module",
                "lesson",
                "captiontrack",
                "quiz",
                "question",
                "choice",
            )
            for action in ("view", "add", "change", "delete")
        ),
        "courses.view_enrollment",
        "courses.view_quizattempt",
        "courses.view_coursereview",
        # Help center: the admin narrows these to questions about the instructor's courses.
        "qa.view_category",
        "qa.view_tag",
        *(
            f"qa.{action}_{model}"
            for model in ("question", "answer", "comment", "flag")
            for action in ("view", "change")
        ),
    ],
    # Admins are superusers: every permission, so nothing needs listing.
    Role.ADMIN: [],
}
