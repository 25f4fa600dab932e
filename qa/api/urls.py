"""/api/v1/ routes of the help center (the exact paths of the issue, without trailing slashes)."""

from django.urls import path

from qa.api import bounties, views

urlpatterns = [
    path("questions", views.QuestionListCreateApi.as_view(), name="qa-question-list"),
    path("questions/similar", views.QuestionSimilarApi.as_view(), name="qa-question-similar"),
    path(
        "questions/<int:question_id>",
        views.QuestionDetailApi.as_view(),
        name="qa-question-detail",
    ),
    path(
        "questions/<int:question_id>/bounty",
        bounties.QuestionBountyApi.as_view(),
        name="qa-question-bounty",
    ),
    path(
        "questions/<int:question_id>/answers",
        views.QuestionAnswerCreateApi.as_view(),
        name="qa-question-answers",
    ),
    path(
        "questions/<int:question_id>/comments",
        views.QuestionCommentCreateApi.as_view(),
        name="qa-question-comments",
    ),
    path(
        "questions/<int:question_id>/flag", views.QuestionFlagApi.as_view(), name="qa-question-flag"
    ),
    path(
        "questions/<int:question_id>/close",
        views.QuestionCloseApi.as_view(),
        name="qa-question-close",
    ),
    path(
        "questions/<int:question_id>/reopen",
        views.QuestionReopenApi.as_view(),
        name="qa-question-reopen",
    ),
    path(
        "questions/<int:question_id>/follow",
        views.QuestionFollowApi.as_view(),
        name="qa-question-follow",
    ),
    path("answers/<int:answer_id>", views.AnswerDetailApi.as_view(), name="qa-answer-detail"),
    path("answers/<int:answer_id>/rate", views.AnswerRateApi.as_view(), name="qa-answer-rate"),
    path("answers/<int:answer_id>/star", views.AnswerStarApi.as_view(), name="qa-answer-star"),
    path(
        "answers/<int:answer_id>/accept", views.AnswerAcceptApi.as_view(), name="qa-answer-accept"
    ),
    path(
        "answers/<int:answer_id>/comments",
        views.AnswerCommentCreateApi.as_view(),
        name="qa-answer-comments",
    ),
    path("answers/<int:answer_id>/flag", views.AnswerFlagApi.as_view(), name="qa-answer-flag"),
    path("comments/<int:comment_id>/flag", views.CommentFlagApi.as_view(), name="qa-comment-flag"),
    path("categories", views.CategoryListCreateApi.as_view(), name="qa-category-list"),
    path(
        "categories/<slug:slug>/follow",
        views.CategoryFollowApi.as_view(),
        name="qa-category-follow",
    ),
    path(
        "courses/<int:course_id>/questions/follow",
        views.CourseQuestionsFollowApi.as_view(),
        name="qa-course-questions-follow",
    ),
    path("questions/following", views.FollowingApi.as_view(), name="qa-following"),
    path(
        "questions/<int:question_id>/revisions",
        views.QuestionRevisionListApi.as_view(),
        name="qa-question-revisions",
    ),
    path(
        "answers/<int:answer_id>/revisions",
        views.AnswerRevisionListApi.as_view(),
        name="qa-answer-revisions",
    ),
    path("comments/<int:comment_id>", views.CommentDetailApi.as_view(), name="qa-comment-detail"),
    path(
        "questions/<int:question_id>/visibility",
        views.QuestionVisibilityApi.as_view(),
        name="qa-question-visibility",
    ),
    path(
        "answers/<int:answer_id>/visibility",
        views.AnswerVisibilityApi.as_view(),
        name="qa-answer-visibility",
    ),
    path(
        "comments/<int:comment_id>/visibility",
        views.CommentVisibilityApi.as_view(),
        name="qa-comment-visibility",
    ),
    path("flags", views.FlagListApi.as_view(), name="qa-flag-list"),
    path("flags/<int:flag_id>/resolve", views.FlagResolveApi.as_view(), name="qa-flag-resolve"),
]
