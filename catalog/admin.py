from django.contrib import admin

from catalog.models import ApiToken, Customer, Interaction, Job, Membership, Product, Shop


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "currency", "created_at")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "shop", "category", "price", "stock_status", "updated_at")
    list_filter = ("shop", "stock_status")
    search_fields = ("sku", "title", "brand")
    list_select_related = ("shop",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "shop", "created_at")
    list_filter = ("shop",)
    search_fields = ("external_id",)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "shop", "customer", "kind", "product")
    list_filter = ("shop", "kind")
    raw_id_fields = ("customer", "product")
    list_select_related = ("shop", "customer", "product")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "shop", "kind", "status", "progress_done", "progress_total", "created_at")
    list_filter = ("status", "kind", "shop")
    readonly_fields = ("task_id", "created_at", "started_at", "finished_at", "heartbeat_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "membership", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
