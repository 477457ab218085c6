from django.urls import path

from notifications import apis

urlpatterns = [
    path("", apis.NotificationListApi.as_view(), name="notifications-list"),
    path("unread_count/", apis.NotificationUnreadCountApi.as_view(), name="notifications-unread-count"),
    path("read_all/", apis.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path("preferences/", apis.NotificationPreferencesApi.as_view(), name="notifications-preferences"),
    path("unsubscribe/", apis.NotificationUnsubscribeApi.as_view(), name="notifications-unsubscribe"),
    path("<str:notification_id>/read/", apis.NotificationReadApi.as_view(), name="notifications-read"),
]
