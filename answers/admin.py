from django.contrib import admin

from answers.models import AnswerSettings, FactChunk, FaqEntry, ShopperQuestion


@admin.register(ShopperQuestion)
class ShopperQuestionAdmin(admin.ModelAdmin):
    list_display = ("pk", "shop", "status", "answer_kind", "confidence", "created_at")
    list_filter = ("status", "answer_kind")
    raw_id_fields = ("shop", "product", "customer", "job", "reviewed_by")


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("pk", "shop", "product", "question", "updated_at")
    raw_id_fields = ("shop", "product", "created_by")


@admin.register(FactChunk)
class FactChunkAdmin(admin.ModelAdmin):
    list_display = ("pk", "shop", "source_key", "source", "updated_at")
    raw_id_fields = ("shop", "product", "faq")
    exclude = ("embedding",)


admin.site.register(AnswerSettings)
