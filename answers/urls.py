from django.urls import path

from answers import views

app_name = "answers"

urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("ask/", views.ask, name="ask"),
    path("<int:pk>/", views.question_detail, name="question_detail"),
    path("<int:pk>/action/", views.question_action, name="question_action"),
    path("faq/", views.faq_list, name="faq_list"),
    path("faq/new/", views.faq_create, name="faq_create"),
    path("faq/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("faq/<int:pk>/delete/", views.faq_delete, name="faq_delete"),
    path("settings/", views.answer_settings, name="settings"),
    path("index/", views.rebuild_index, name="rebuild_index"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_action, name="review_action"),
]
