"""`seed_load` stage 1: the users (instructors first, then learners), none of whom can sign in."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Max, Min

from accounts.models import User
from core.bulk import LoadContext
from core.roles import Role

FIRST_NAMES = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Guido", "Barbara", "Dennis", "Frances"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Rossum", "Liskov", "Ritchie"]


def _email(prefix: str, number: int) -> str:
    return f"{prefix}-user-{number}@load.example.com"


def seed_users(ctx: LoadContext) -> str:
    wanted = ctx.sizes["users"]
    instructors = ctx.sizes["instructors"]
    found = User.objects.filter(email__startswith=f"{ctx.prefix}-user-").aggregate(
        first=Min("pk"), last=Max("pk"), count=Count("pk")
    )
    if found["count"]:
        if found["count"] != wanted:
            raise ValueError(
                f"{found['count']:,} users with the prefix '{ctx.prefix}' exist, {wanted:,} asked "
                "for: use another --prefix or a fresh database."
            )
        first = found["first"]
        status = "already there"
    else:
        rng = ctx.rng("users")
        first = ctx.writer.next_id(User)
        password = make_password(None)  # unusable: load users never sign in
        joined_from = ctx.now - timedelta(days=730)

        def rows():
            for number in range(wanted):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {number}"
                role = Role.INSTRUCTOR if number < instructors else Role.STUDENT
                joined = joined_from + timedelta(seconds=rng.randrange(730 * 86400))
                yield (first + number, _email(ctx.prefix, number), name, role, password, joined)

        ctx.writer.write(
            User,
            ["id", "email", "display_name", "role", "password", "date_joined"],
            rows(),
            total=wanted,
            label="users",
        )
        ctx.writer.reset_sequences(User)
        status = "written"
    ctx.ranges["instructors"] = range(first, first + instructors)
    ctx.ranges["learners"] = range(first + instructors, first + wanted)
    return f"{wanted:,} users ({instructors:,} instructors) {status}"
