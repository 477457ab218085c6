from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from chat.models import Message, MessageReport
from chat.text import strip_control_characters
from designiaBackend.api.fields import PublicIdField
from infrastructure.storage import public_url

# --- output -----------------------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The participant's user id (C6).")
    username = serializers.CharField()
    avatar = serializers.SerializerMethodField()

    def get_avatar(self, user) -> str | None:
        try:
            return public_url(user.profile.avatar)
        except ObjectDoesNotExist:
            return None


class ThreadProductSerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField()
    slug = serializers.CharField()


class LastMessageSerializer(serializers.Serializer):
    id = PublicIdField()
    sender = serializers.UUIDField(source="sender_id")
    message_type = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ThreadSerializer(serializers.Serializer):
    id = PublicIdField(help_text="The thread id, used in /ws/chat/{id}/.")
    participants = ParticipantSerializer(many=True)
    product = ThreadProductSerializer(allow_null=True)
    last_message = LastMessageSerializer(allow_null=True)
    unread_count = serializers.IntegerField(help_text="Messages from others the caller has not read.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ThreadOpenedSerializer(serializers.Serializer):
    thread_id = PublicIdField()
    is_new = serializers.BooleanField()


class MessageSerializer(serializers.Serializer):
    id = PublicIdField()
    thread = PublicIdField(source="thread_id")
    sender = serializers.UUIDField(source="sender_id", help_text="The sender's user id.")
    sender_username = serializers.CharField(source="sender.username")
    message_type = serializers.ChoiceField(choices=Message.Type.choices)
    text = serializers.CharField()
    image_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    is_read = serializers.BooleanField(help_text="Whether the recipient has read it.")

    def get_image_url(self, message) -> str | None:
        return public_url(message.image)


class MessagePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True, help_text="Link with `page=N+1`, or null on the last page.")
    previous = serializers.URLField(allow_null=True)
    results = MessageSerializer(many=True)


class MarkReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class ReportSerializer(serializers.ModelSerializer):
    id = PublicIdField(read_only=True)
    message = PublicIdField(source="message_id", read_only=True)

    class Meta:
        model = MessageReport
        fields = ["id", "message", "reason", "description", "status", "created_at"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------------


class RawTextField(serializers.CharField):
    """Text kept exactly as sent: no trimming; control characters (NUL included) and lone
    surrogates are removed by the service, as for socket messages, instead of refusing the message."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if validator.__class__.__name__
            not in ("ProhibitNullCharactersValidator", "ProhibitSurrogateCharactersValidator")
        ]


class ThreadOpenInputSerializer(serializers.Serializer):
    product_id = PublicIdField(required=False, help_text="A product id, as a string (or a number).")
    user_id = serializers.UUIDField(required=False)

    def validate(self, attrs):
        if ("product_id" in attrs) == ("user_id" in attrs):
            raise serializers.ValidationError("Send either product_id or user_id.")
        return attrs


class MessageInputSerializer(serializers.Serializer):
    text = RawTextField(required=False, allow_blank=True)
    image = serializers.FileField(required=False, help_text="JPEG, PNG or WebP image.")


class ReportInputSerializer(serializers.Serializer):
    message = PublicIdField(help_text="A message id, as a string (or a number).")
    reason = serializers.ChoiceField(choices=MessageReport.Reason.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate_description(self, value):
        return strip_control_characters(value).strip()
