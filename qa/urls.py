"""/questions/: the Peer Help Center's pages."""

from django.urls import path

from qa import views

app_name = "qa"

urlpatterns = [
    path("", views.question_list, name="list"),
    path("ask/", views.question_create, name="ask"),
    path("similar/", views.question_similar, name="similar"),
    path("privileges/", views.privileges, name="privileges"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow_toggle, name="follow"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/flags/<int:flag_id>/", views.flag_resolve, name="flag_resolve"),
    path("users/<int:user_id>/", views.user_profile, name="user"),
    path("<int:question_id>/", views.question_detail, name="detail"),
    path("<int:question_id>/edit/", views.question_edit, name="edit"),
    path("<int:question_id>/history/", views.question_history, name="history"),
    path("<int:question_id>/delete/", views.question_delete, name="delete"),
    path("<int:question_id>/close/", views.question_close, name="close"),
    path("<int:question_id>/reopen/", views.question_reopen, name="reopen"),
    path("<int:question_id>/answers/", views.answer_create, name="answer"),
    path("<int:question_id>/bounty/", views.bounty_offer, name="bounty"),
    path("<int:question_id>/comments/", views.comment_create, name="question_comment"),
    path("answers/<int:answer_id>/edit/", views.answer_edit, name="answer_edit"),
    path("answers/<int:answer_id>/history/", views.answer_history, name="answer_history"),
    path("answers/<int:answer_id>/delete/", views.answer_delete, name="answer_delete"),
    path("answers/<int:answer_id>/star/", views.answer_star, name="answer_star"),
    path("answers/<int:answer_id>/xp/", views.answer_rate, name="answer_rate"),
    path("answers/<int:answer_id>/accept/", views.answer_accept, name="answer_accept"),
    path("answers/<int:answer_id>/comments/", views.comment_create, name="answer_comment"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("<str:kind>/<int:post_id>/flag/", views.post_flag, name="flag"),
    path("<str:kind>/<int:post_id>/moderate/", views.post_moderate, name="moderate"),
]
