from django.urls import path

from marketplace.activity.apis import TrackView

urlpatterns = [path("track/", TrackView.as_view(), name="activity-track")]
