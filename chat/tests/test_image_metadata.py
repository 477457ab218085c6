"""A chat photo is stored without EXIF/XMP/IPTC, upright, under a name the server made (issue 22)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Message
from infrastructure.tests.image_samples import assert_no_metadata_and_upright, gps_jpeg

pytestmark = pytest.mark.django_db


def test_a_gps_photo_sent_in_chat_is_stored_clean(auth_client, pair):
    buyer, _seller, thread = pair
    photo = SimpleUploadedFile("../../IMG_0001.jpg", gps_jpeg(), content_type="image/jpeg")

    response = auth_client(buyer).post(
        f"/api/chat/conversations/{thread.pk}/messages/", {"image": photo}, format="multipart"
    )

    assert response.status_code == 201
    stored = Message.objects.get()
    assert re.fullmatch(r"chat/\d{4}/\d{2}/chat-[0-9a-f]{32}\.jpg", stored.image.name)
    assert response.json()["image_url"].endswith(stored.image.name)
    assert_no_metadata_and_upright(stored.image.read())
