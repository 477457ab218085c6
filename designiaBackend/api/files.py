"""Signed downloads of private files kept in local storage (the embedded default).

With S3/MinIO, private links are presigned bucket URLs and never reach this view.
"""

from django.http import FileResponse, Http404

from infrastructure.storage import private_name_from_token, private_storage


def private_download(request, token):
    name = private_name_from_token(token)
    if not name or not private_storage.exists(name):
        raise Http404("This link is invalid or has expired.")
    return FileResponse(
        private_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1]
    )
