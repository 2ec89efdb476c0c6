from django import template

from catalog.panels import panels_for

register = template.Library()


@register.simple_tag
def panels(page: str) -> list[str]:
    """`{% panels "product" as product_panels %}`: the templates other apps put on the page."""
    return panels_for(page)
