"""What each role may do in the Django admin, as Django permissions on the role's group.

Later apps add their models' permissions here ("app_label.codename"); permissions whose model
does not exist yet are skipped, so the table can name them before the model lands.
"""

from core.roles import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.STUDENT: [],
    Role.INSTRUCTOR: [
        "accounts.view_teacherapplication",
    ],
    # Admins are superusers: every permission, so nothing needs listing.
    Role.ADMIN: [],
}
