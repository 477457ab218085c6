"""Staff tools: browse threads and messages, resolve reports (dismiss, warn, block the sender)
and lift chat bans. Every change goes through chat.services and is logged."""

from django.contrib import admin, messages

from chat import services
from chat.exceptions import ReportNotAllowedError
from chat.models import ChatBan, Message, MessageReport, Thread


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "message_type", "text", "image", "read_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["id", "participant_names", "product", "updated_at"]
    search_fields = ["participants__username", "participants__email", "product__name"]
    readonly_fields = ["key", "participants", "product", "last_message", "created_at", "updated_at"]
    list_select_related = ["product"]
    inlines = [MessageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("participants")

    @admin.display(description="participants")
    def participant_names(self, thread):
        return ", ".join(user.username for user in thread.participants.all())

    def has_add_permission(self, request):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "thread", "sender", "message_type", "short_text", "created_at", "read_at"]
    list_filter = ["message_type"]
    search_fields = ["text", "sender__username", "sender__email"]
    list_select_related = ["sender"]
    readonly_fields = ["thread", "sender", "message_type", "text", "image", "created_at", "read_at"]

    @admin.display(description="text")
    def short_text(self, message):
        return message.text[:80]

    def has_add_permission(self, request):
        return False


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ["id", "reason", "status", "reporter", "reported_sender", "message_text", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["message__text", "reporter__username", "message__sender__username"]
    list_select_related = ["reporter", "message__sender"]
    readonly_fields = [
        "message",
        "reporter",
        "reason",
        "description",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    actions = ["dismiss", "warn_sender", "block_sender"]

    @admin.display(description="sender")
    def reported_sender(self, report):
        return report.message.sender

    @admin.display(description="message")
    def message_text(self, report):
        return report.message.text[:80]

    def has_add_permission(self, request):
        return False

    def _resolve(self, request, queryset, resolution):
        done = 0
        for report in queryset:
            try:
                services.report_resolve(report_id=report.pk, staff=request.user, resolution=resolution)
            except ReportNotAllowedError as error:
                self.message_user(request, f"Report {report.pk}: {error.message}", messages.WARNING)
                continue
            self.log_change(request, report, f"Resolved: {resolution}")
            done += 1
        if done:
            self.message_user(request, f"{done} report(s) resolved ({resolution}).", messages.SUCCESS)

    @admin.action(description="Dismiss the selected reports")
    def dismiss(self, request, queryset):
        self._resolve(request, queryset, "dismiss")

    @admin.action(description="Warn the sender (e-mail) and close the reports")
    def warn_sender(self, request, queryset):
        self._resolve(request, queryset, "warn")

    @admin.action(description="Block the sender from chatting and close the reports")
    def block_sender(self, request, queryset):
        self._resolve(request, queryset, "block")


@admin.register(ChatBan)
class ChatBanAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "created_by", "created_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "created_by"]
    readonly_fields = ["user", "reason", "report", "created_by", "created_at"]
    actions = ["lift"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Lift the selected chat bans")
    def lift(self, request, queryset):
        for ban in queryset.select_related("user"):
            services.chat_ban_lift(user=ban.user, lifted_by=request.user)
            self.log_deletion(request, ban, str(ban))
        self.message_user(request, "Chat bans lifted.", messages.SUCCESS)
