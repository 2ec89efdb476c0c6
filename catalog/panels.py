"""Places on catalog pages that the upper apps fill, so that the catalog names none of them.

An app registers a template for a page from its AppConfig.ready(); the catalog template includes
every template registered for that page, lowest `order` first, with the page's own context
(`product` on the product page, `customer` on the customer page, ...). A panel that needs more
than that loads its body from its own app's URL (htmx), so catalog views do no work for it.
"""

from __future__ import annotations

# Where panels can go: the page's name -> what the registered templates are included into.
PAGES = {
    "product": "the product page, below the published copy",
    "customer": "the customer page, above the interaction history",
    "product_list": "the product list's count line (links acting on the filtered products)",
    "no_shop": "the page of a staff reviewer without a shop (review queues, one <li> each)",
}

_panels: dict[str, dict[str, int]] = {page: {} for page in PAGES}


def register_panel(page: str, template: str, *, order: int = 100) -> None:
    """Include `template` on `page`. Registering the same template again only moves it."""
    _registered(page)[template] = order


def panels_for(page: str) -> list[str]:
    """The templates registered for `page`, in order."""
    registered = _registered(page)
    return sorted(registered, key=lambda template: (registered[template], template))


def _registered(page: str) -> dict[str, int]:
    # A misspelt page would otherwise hide its panels without a word.
    if page not in PAGES:
        raise ValueError(f"Unknown page {page!r}; panels go on {', '.join(PAGES)}")
    return _panels[page]
