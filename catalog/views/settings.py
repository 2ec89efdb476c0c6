"""Owner pages: the shop's members and their API tokens.

Owners only: editors and viewers get 403; another shop's member or token is a 404.
A new token's key is rendered once in the response to the POST that made it and never again
(only its hash is stored), so it is not put in the session or in a redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import services
from catalog.models import ApiToken, Membership, Role
from catalog.tenancy import get_for_shop, shop_member_required


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses it, e.g. 'Shop backend sync'.")
    member = forms.ModelChoiceField(queryset=Membership.objects.none(), empty_label=None)

    def __init__(self, *args, shop=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Membership.objects.filter(shop=shop).select_related("user").order_by("user__username")
        )
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.user.get_username()} ({m.get_role_display()})"
        )


def _members(shop) -> list[Membership]:
    return list(
        Membership.objects.filter(shop=shop).select_related("user").order_by("user__username")
    )


@shop_member_required(Role.OWNER)
def member_list(request: HttpRequest, add_form: AddMemberForm | None = None) -> HttpResponse:
    context = {
        "members": _members(request.shop),
        "add_form": add_form or AddMemberForm(),
        "roles": Role.choices,
    }
    return render(request, "catalog/members.html", context, status=400 if add_form else 200)


@shop_member_required(Role.OWNER)
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return member_list(request, add_form=form)
    membership = services.add_member(
        request.shop, form.cleaned_data["username"], form.cleaned_data["role"], actor=request.user
    )
    name = membership.user.get_username()
    messages.success(request, f"{name} added as {membership.get_role_display()}.")
    return redirect("catalog:member_list")


@shop_member_required(Role.OWNER)
@require_POST
def member_update(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_shop(Membership, request.shop, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
    else:
        services.change_role(membership, form.cleaned_data["role"], actor=request.user)
        messages.success(
            request, f"{membership.user.get_username()} is now {membership.get_role_display()}."
        )
    return redirect("catalog:member_list")


@shop_member_required(Role.OWNER)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_shop(Membership, request.shop, pk=pk)
    services.remove_member(membership, actor=request.user)
    messages.success(request, f"{membership.user.get_username()} removed from the shop.")
    return redirect("catalog:member_list")


def _render_tokens(
    request: HttpRequest, form: TokenForm, new_key: str = "", status: int = 200
) -> HttpResponse:
    tokens = (
        ApiToken.objects.filter(membership__shop=request.shop)
        .select_related("membership__user")
        .order_by("revoked_at", "-created_at")
    )
    context = {"tokens": tokens, "form": form, "new_key": new_key}
    response = render(request, "catalog/tokens.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@shop_member_required(Role.OWNER)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(shop=request.shop, initial={"member": request.membership.pk})
    return _render_tokens(request, form)


@shop_member_required(Role.OWNER)
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, shop=request.shop)
    if not form.is_valid():
        return _render_tokens(request, form, status=400)
    token, key = services.create_api_token(
        form.cleaned_data["member"], form.cleaned_data["name"], actor=request.user
    )
    messages.success(request, f"Token “{token.name}” created. Copy its key now: it is shown once.")
    fresh_form = TokenForm(shop=request.shop, initial={"member": request.membership.pk})
    return _render_tokens(request, fresh_form, new_key=key)


@shop_member_required(Role.OWNER)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = ApiToken.objects.get(pk=pk, membership__shop=request.shop)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("catalog:token_list")
