from django.contrib import admin

from designiaBackend.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "key", "created_at", "relayed_at", "done_at", "attempts")
    list_filter = ("task",)
    search_fields = ("key", "task")
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
