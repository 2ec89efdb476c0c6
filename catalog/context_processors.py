from catalog.tenancy import memberships_for


def current_shop(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_shop": getattr(request, "shop", None),
        "current_membership": getattr(request, "membership", None),
        "my_memberships": lambda: memberships_for(request.user),
    }
