from django.contrib import admin

from recommendations.models import RecommendationImpression, RecommendationRun, RecommenderSettings


@admin.register(RecommendationRun)
class RecommendationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "shop", "job", "trigger", "created_at")
    list_filter = ("job__status", "trigger")
    list_select_related = ("job",)
    readonly_fields = ("job", "settings", "metrics", "stats")


@admin.register(RecommenderSettings)
class RecommenderSettingsAdmin(admin.ModelAdmin):
    list_display = ("shop", "content_weight", "top_n", "updated_at")


@admin.register(RecommendationImpression)
class RecommendationImpressionAdmin(admin.ModelAdmin):
    list_display = ("ref", "shop", "kind", "source", "run", "created_at")
    list_filter = ("kind", "source")
