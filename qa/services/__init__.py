"""Every write of the Peer Help Center; views, the API, admin, tasks and commands call these."""

from qa.services.answers import (
    answer_accept,
    answer_create,
    answer_delete,
    answer_unaccept,
    answer_update,
    comment_create,
    comment_delete,
)
from qa.services.bounties import bounties_settle, bounty_award, bounty_offer
from qa.services.categories import categories_ensure_defaults, category_create
from qa.services.counters import counters_recount
from qa.services.follows import (
    digest_send,
    digest_subscription_update,
    digests_send,
    experts_notify,
    follow_create,
    follow_delete,
)
from qa.services.moderation import flag_resolve, post_flag, post_hide, post_unhide
from qa.services.questions import (
    question_categorise,
    question_close,
    question_create,
    question_delete,
    question_reopen,
    question_update,
    question_view_record,
)
from qa.services.ratings import answer_rate, answer_star
from qa.services.reputation import (
    rater_contributions_reverse,
    reputation_event_reverse,
    reputation_grant,
)

__all__ = [
    "answer_accept",
    "answer_create",
    "answer_delete",
    "answer_rate",
    "answer_star",
    "answer_unaccept",
    "answer_update",
    "bounties_settle",
    "bounty_award",
    "bounty_offer",
    "categories_ensure_defaults",
    "category_create",
    "comment_create",
    "comment_delete",
    "counters_recount",
    "digest_send",
    "digest_subscription_update",
    "digests_send",
    "experts_notify",
    "flag_resolve",
    "follow_create",
    "follow_delete",
    "post_flag",
    "post_hide",
    "post_unhide",
    "question_categorise",
    "question_close",
    "question_create",
    "question_delete",
    "question_reopen",
    "question_update",
    "question_view_record",
    "rater_contributions_reverse",
    "reputation_event_reverse",
    "reputation_grant",
]
