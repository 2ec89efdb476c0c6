from django.contrib import admin

from generation.models import BrandVoice, Draft, DraftVersion, PromptTemplate


class DraftVersionInline(admin.TabularInline):
    model = DraftVersion
    extra = 0
    fields = ("number", "source", "text", "checks", "created_by", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("created_by", "job")


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ("pk", "shop", "product", "field", "status", "reviewer", "updated_at")
    list_filter = ("status", "field", "shop")
    search_fields = ("product__sku", "product__title")
    raw_id_fields = ("product", "current_version", "reviewer")
    list_select_related = ("shop", "product", "reviewer")
    inlines = [DraftVersionInline]


@admin.register(DraftVersion)
class DraftVersionAdmin(admin.ModelAdmin):
    list_display = ("pk", "draft", "number", "source", "created_by", "created_at")
    list_filter = ("source",)
    raw_id_fields = ("draft", "job", "created_by")
    list_select_related = ("draft", "created_by")


@admin.register(BrandVoice)
class BrandVoiceAdmin(admin.ModelAdmin):
    list_display = ("shop", "updated_at", "updated_by")


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    list_display = ("shop", "field", "updated_at", "updated_by")
    list_filter = ("field", "shop")
