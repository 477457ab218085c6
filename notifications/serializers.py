from rest_framework import serializers

from notifications.selectors import notification_data


class NotificationSerializer(serializers.Serializer):
    """A notification: ``id`` is a string; ``link_type``/``link_id`` name the object it is about."""

    id = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link_type = serializers.CharField(allow_null=True)
    link_id = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    is_read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance):
        return notification_data(instance)


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class UnreadCountSerializer(serializers.Serializer):
    unread_notifications_count = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
    unread_notifications_count = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    audience = serializers.CharField()
    label = serializers.CharField()
    email = serializers.BooleanField()
    mandatory = serializers.BooleanField()


class PreferenceChoiceSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=64)
    email = serializers.BooleanField()


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceChoiceSerializer(many=True, allow_empty=False, max_length=100)


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


class UnsubscribeQuerySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000)


class UnsubscribedSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    email = serializers.BooleanField()
