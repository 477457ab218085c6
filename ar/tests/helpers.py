from django.core.files.uploadedfile import SimpleUploadedFile

from ar.models import ARModel
from infrastructure.storage import private_storage


def stored_files(product):
    """Names of the files stored for the product's models (local or S3 private storage)."""
    try:
        return sorted(private_storage.listdir(f"ar/models/{product.pk}")[1])
    except FileNotFoundError:
        return []


def read_stored(model):
    with private_storage.open(model.storage_name, "rb") as file:
        return file.read()


def upload_file(client, product, data, name="chair.glb", **extra):
    return client.post(
        f"/api/ar/models/{product.pk}/",
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream"), **extra},
        format="multipart",
    )


def assert_nothing_stored(product):
    assert not ARModel.objects.filter(product=product).exists()
    assert stored_files(product) == []
