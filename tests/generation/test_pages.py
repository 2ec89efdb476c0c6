import pytest
from django.urls import reverse

from catalog.models import Job
from generation.models import Draft, DraftStatus, VersionSource
from generation.services import add_version, submit_for_review
from tests.generation.conftest import make_product


def url(name, *args):
    return reverse(f"generation:{name}", args=args)


def test_copy_home_and_nav_link(owner_client):
    page = owner_client.get(url("home"))
    assert page.status_code == 200
    assert b"Generate drafts" in page.content
    assert f'href="{url("home")}"'.encode() in page.content  # the nav link


def test_generate_form_queues_a_job_for_a_filter_selection(editor_client, shop):
    make_product(shop, sku="A", category="Kitchen > Bottles")
    make_product(shop, sku="B", category="Outdoor")
    response = editor_client.post(
        url("generate"),
        {
            "fields": ["seo_title"],
            "tone": "friendly",
            "length": "short",
            "language": "en",
            "category": "Kitchen",
        },
    )
    job = Job.objects.get(kind="generate_copy")
    assert response.status_code == 302 and response.url == url("request_detail", job.pk)
    assert job.params["product_count"] == 1 and job.params["tone"] == "friendly"
    page = editor_client.get(url("request_detail", job.pk))
    assert b'id="job-progress"' in page.content and b"Queued" in page.content
    fragment = editor_client.get(url("request_detail", job.pk), HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b'hx-trigger="every 3s"' in fragment.content


def test_generate_form_explains_an_empty_selection(editor_client, shop):
    # Back to the form the merchant came from (pre-filled by its query), with the reason.
    form_page = "http://testserver" + url("home") + "?q=nothing-matches"
    response = editor_client.post(
        url("generate"),
        {
            "fields": ["seo_title"],
            "tone": "neutral",
            "length": "short",
            "language": "en",
            "q": "nothing-matches",
        },
        HTTP_REFERER=form_page,
    )
    assert response.status_code == 302 and response["Location"] == form_page
    assert b"No products match this selection." in editor_client.get(form_page).content
    assert not Job.objects.filter(shop=shop).exists()


def test_viewer_cannot_generate(viewer_client, product):
    response = viewer_client.post(
        url("generate"), {"fields": ["seo_title"], "product_ids": str(product.pk)}
    )
    assert response.status_code == 403


def test_draft_detail_shows_flags_escaped(owner_client, product):
    version = add_version(
        product, "description", "<b>Holds 1 litre</b> of water.", source=VersionSource.MODEL
    )
    page = owner_client.get(url("draft_detail", version.draft.pk)).content.decode()
    assert "&lt;b&gt;" in page and "<b>Holds" not in page
    assert '<mark class="flag"' in page and ">1 litre</mark>" in page
    assert "contradicts the product facts" in page


def test_draft_list_filters_by_status_and_field_with_bounded_queries(
    owner_client, shop, django_assert_max_num_queries
):
    for index in range(12):
        item = make_product(shop, sku=f"L{index}")
        add_version(item, "description", "A blue bottle.", source=VersionSource.MODEL)
        add_version(item, "seo_title", "Blue bottle", source=VersionSource.MODEL)
    with django_assert_max_num_queries(12):
        page = owner_client.get(url("draft_list"), {"field": "seo_title"})
    assert page.content.count(b"Blue bottle") == 12
    rows = owner_client.get(url("draft_list"), {"status": "approved"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and b"No drafts here." in rows.content


def test_inline_edit_swaps_the_fragment_and_adds_a_version(editor_client, draft):
    form = editor_client.get(url("draft_edit", draft.pk), HTTP_HX_REQUEST="true")
    assert b"<textarea" in form.content and b"<html" not in form.content
    response = editor_client.post(
        url("draft_edit", draft.pk),
        {"text": "A blue bottle for 750 ml of water."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b'id="draft-text"' in response.content
    assert b"Saved as version 2" in response.content
    draft.refresh_from_db()
    assert draft.current_version.number == 2
    assert draft.current_version.source == VersionSource.EDIT
    draft.product.refresh_from_db()
    assert draft.product.description == ""  # editing never publishes


def test_inline_edit_of_a_closed_draft_says_why_with_409(editor_client, draft):
    draft.status = DraftStatus.APPROVED
    draft.save(update_fields=["status"])
    response = editor_client.post(
        url("draft_edit", draft.pk), {"text": "Too late."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409 and response["HX-Retarget"] == "#messages"
    assert b"This draft is closed" in response.content and b"<html" not in response.content
    assert draft.versions.count() == 1


def test_diff_between_versions_and_against_published(owner_client, draft, product):
    add_version(product, "description", "A red bottle that holds 750 ml.", source="edit")
    response = owner_client.get(url("draft_diff", draft.pk), {"a": "1", "b": "2"})
    assert b"<del>blue stainless steel</del>" in response.content
    assert b"<ins>red</ins>" in response.content
    response = owner_client.get(url("draft_diff", draft.pk), {"a": "published", "b": "9"})
    assert response.status_code == 400


def test_approve_publishes_and_nothing_else_does(editor_client, draft, product):
    editor_client.post(url("draft_submit", draft.pk))
    product.refresh_from_db()
    assert product.description == ""
    editor_client.post(url("draft_approve", draft.pk))
    product.refresh_from_db()
    draft.refresh_from_db()
    assert product.description == "A blue stainless steel bottle that holds 750 ml."
    assert draft.status == DraftStatus.APPROVED


def test_approve_never_replaces_published_copy_silently(editor_client, shop):
    item = make_product(shop, sku="PUB", description="Merchant's own text.")
    draft = add_version(item, "description", "A model text.", source="model").draft
    page = editor_client.get(url("draft_detail", draft.pk))
    assert b"This replaces the published" in page.content
    assert b"<del>" in page.content and b"<ins>" in page.content  # what will be replaced
    assert b"Merchant&#x27;s" in page.content
    editor_client.post(url("draft_approve", draft.pk))  # no confirmation
    item.refresh_from_db()
    assert item.description == "Merchant's own text."
    editor_client.post(url("draft_approve", draft.pk), {"replace": "1"})
    item.refresh_from_db()
    assert item.description == "A model text."


def test_bullet_points_publish_as_a_list(editor_client, product):
    draft = add_version(product, "bullet_points", "Light\nStrong\n", source="model").draft
    editor_client.post(url("draft_approve", draft.pk))
    product.refresh_from_db()
    assert product.bullet_points == ["Light", "Strong"]


def test_second_approval_supersedes_the_first(editor_client, product):
    first = add_version(product, "seo_title", "Trail Bottle", source="model").draft
    editor_client.post(url("draft_approve", first.pk))
    second = add_version(product, "seo_title", "Trail Bottle 750 ml", source="model").draft
    editor_client.post(url("draft_approve", second.pk), {"replace": "1"})
    first.refresh_from_db()
    assert first.status == DraftStatus.SUPERSEDED
    assert Draft.objects.get(pk=second.pk).status == DraftStatus.APPROVED


def test_regenerate_queues_a_one_field_job(editor_client, draft):
    response = editor_client.post(url("draft_regenerate", draft.pk))
    job = Job.objects.get(kind="generate_copy")
    assert response.url == url("request_detail", job.pk)
    assert job.params["fields"] == ["description"] and job.params["source"] == "regenerate"
    assert job.params["selection"] == {"product_ids": [draft.product_id]}


def test_product_panel_lists_drafts_and_offers_generation(owner_client, draft, product):
    panel = owner_client.get(url("product_panel", product.pk), HTTP_HX_REQUEST="true")
    assert b"Description" in panel.content and b"Generate copy" in panel.content
    page = owner_client.get(reverse("catalog:product_detail", args=[product.pk]))
    assert url("product_panel", product.pk).encode() in page.content


def test_voice_page_owner_saves_voice_and_templates_and_previews(owner_client, shop, product):
    assert owner_client.get(url("voice")).status_code == 200
    owner_client.post(
        url("voice_save"), {"voice": "Calm and precise.", "banned_phrases": "game-changer\n"}
    )
    assert shop.brand_voice.banned_phrases == ["game-changer"]
    bad = owner_client.post(url("template_save", "seo_title"), {"template": "No data here"})
    assert bad.status_code == 400 and b"must contain {product}" in bad.content
    owner_client.post(url("template_save", "seo_title"), {"template": "Title: {product}"})
    preview = owner_client.get(
        url("template_preview"), {"field": "seo_title", "product": product.pk}
    )
    assert b"Title: &lt;product_facts&gt;" in preview.content
    assert b"Calm and precise." not in preview.content  # seo template has no voice block
    # The preview shows the whole chat: the example exchange comes before the product's prompt.
    text = preview.content.decode()
    assert text.index("[example: assistant]") < text.index("[user]")
    assert text.count("Title: &lt;product_facts&gt;") == 2  # the example uses the same template


def test_editor_cannot_change_voice(editor_client, shop):
    assert editor_client.post(url("voice_save"), {"voice": "x"}).status_code == 403


def test_banned_phrase_from_voice_is_flagged_in_drafts(owner_client, shop, product):
    owner_client.post(url("voice_save"), {"banned_phrases": "game-changer"})
    version = add_version(product, "description", "A game-changer bottle.", source="model")
    assert version.checks["counts"] == {"banned": 1}


# --- Outsiders and reviewers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, method",
    [
        ("draft_detail", "get"),
        ("draft_text", "get"),
        ("draft_edit", "get"),
        ("draft_edit", "post"),
        ("draft_diff", "get"),
        ("draft_regenerate", "post"),
        ("draft_submit", "post"),
        ("draft_approve", "post"),
        ("draft_reject", "post"),
    ],
)
def test_outsider_cannot_see_or_change_another_shops_draft(outsider_client, draft, name, method):
    response = getattr(outsider_client, method)(
        url(name, draft.pk), {"text": "hacked", "replace": "1", "reason": "x"}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.current_version.number == 1
    draft.product.refresh_from_db()
    assert draft.product.description == ""


def test_outsider_cannot_see_another_shops_request_or_panel(outsider_client, shop, product, owner):
    from generation.services import Selection, create_generation_job

    job = create_generation_job(shop, Selection(product_ids=[product.pk]), fields=["seo_title"])
    assert outsider_client.get(url("request_detail", job.pk)).status_code == 404
    assert outsider_client.get(url("product_panel", product.pk)).status_code == 404
    assert outsider_client.get(url("home"), {"product": product.pk}).status_code == 404
    preview = outsider_client.get(url("template_preview"), {"product": product.pk})
    assert b"Trail Bottle" not in preview.content


def test_outsider_draft_list_shows_only_their_shop(outsider_client, draft, other_draft):
    page = outsider_client.get(url("draft_list"))
    assert b"Rival Mug" in page.content and b"Trail Bottle" not in page.content


def test_reviewer_queue_spans_shops_and_rejects_with_reason(
    staff_client, draft, other_draft, owner_client, editor
):
    submit_for_review(draft, user=editor)
    submit_for_review(other_draft, user=None)
    queue = staff_client.get(url("review_queue"))
    assert b"Trail Bottle" in queue.content and b"Rival Mug" in queue.content
    assert staff_client.post(url("review_reject", draft.pk), {"reason": ""}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING_REVIEW  # a reason is required
    staff_client.post(url("review_reject", draft.pk), {"reason": "Says 1 litre; it is 750 ml."})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REJECTED
    page = owner_client.get(url("draft_detail", draft.pk))
    assert b"Says 1 litre; it is 750 ml." in page.content
    # The merchant fixes it: back to draft, resubmits, the reviewer approves and it publishes.
    owner_client.post(url("draft_edit", draft.pk), {"text": "A blue bottle, 750 ml."})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT
    owner_client.post(url("draft_submit", draft.pk))
    staff_client.post(url("review_approve", draft.pk))
    draft.product.refresh_from_db()
    assert draft.product.description == "A blue bottle, 750 ml."


def test_members_cannot_use_the_review_queue(owner_client, draft, editor):
    submit_for_review(draft, user=editor)
    assert owner_client.get(url("review_queue")).status_code == 403
    assert owner_client.post(url("review_approve", draft.pk)).status_code == 403


def test_reviewer_cannot_act_on_drafts_not_pending(staff_client, draft):
    assert staff_client.get(url("review_detail", draft.pk)).status_code == 404
    assert staff_client.post(url("review_approve", draft.pk)).status_code == 404


def test_admin_lists_drafts_and_versions(client, draft):
    from tests.conftest import make_user

    admin_user = make_user("root-admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for path in ("draft", "draftversion", "brandvoice", "prompttemplate"):
        assert client.get(f"/admin/generation/{path}/").status_code == 200
    assert client.get(f"/admin/generation/draft/{draft.pk}/change/").status_code == 200


def test_viewer_sees_a_draft_but_cannot_edit_or_approve_it(viewer_client, draft):
    page = viewer_client.get(url("draft_detail", draft.pk))
    assert page.status_code == 200 and b'id="approve-button"' not in page.content
    assert viewer_client.post(url("draft_edit", draft.pk), {"text": "x"}).status_code == 403
    assert viewer_client.post(url("draft_approve", draft.pk)).status_code == 403
    draft.product.refresh_from_db()
    assert draft.product.description == ""
