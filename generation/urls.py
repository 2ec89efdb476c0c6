from django.urls import path

from generation.views import drafts, requests, review, voice

app_name = "generation"
urlpatterns: list = [
    # Requests
    path("", requests.copy_home, name="home"),
    path("generate/", requests.generate, name="generate"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    # Drafts
    path("drafts/", drafts.draft_list, name="draft_list"),
    path("drafts/<int:pk>/", drafts.draft_detail, name="draft_detail"),
    path("drafts/<int:pk>/text/", drafts.draft_text, name="draft_text"),
    path("drafts/<int:pk>/edit/", drafts.draft_edit, name="draft_edit"),
    path("drafts/<int:pk>/diff/", drafts.draft_diff, name="draft_diff"),
    path("drafts/<int:pk>/regenerate/", drafts.draft_regenerate, name="draft_regenerate"),
    path("drafts/<int:pk>/submit/", drafts.draft_submit, name="draft_submit"),
    path("drafts/<int:pk>/approve/", drafts.draft_approve, name="draft_approve"),
    path("drafts/<int:pk>/reject/", drafts.draft_reject, name="draft_reject"),
    path("products/<int:product_id>/panel/", drafts.product_panel, name="product_panel"),
    # Brand voice and prompt templates
    path("voice/", voice.voice_page, name="voice"),
    path("voice/save/", voice.voice_save, name="voice_save"),
    path("voice/templates/<str:field>/", voice.template_save, name="template_save"),
    path("voice/preview/", voice.template_preview, name="template_preview"),
    # Reviewers (staff)
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
    path("review/<int:pk>/approve/", review.review_approve, name="review_approve"),
    path("review/<int:pk>/reject/", review.review_reject, name="review_reject"),
]
