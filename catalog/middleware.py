from catalog.tenancy import resolve_membership


class CurrentShopMiddleware:
    """Sets `request.membership`/`request.shop` for pages (None outside any shop) and
    `request.htmx` (True for htmx partial requests).

    API requests authenticate later, in DRF; its permission class sets both from the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = request.headers.get("HX-Request") == "true"
        request.membership = resolve_membership(request)
        request.shop = request.membership.shop if request.membership else None
        return self.get_response(request)
