"""``Product.gallery``: the product page's copy of its images (``ProductImage`` rows), filled here."""

from django.db import migrations, models

FIELDS = ("id", "image", "thumbnail", "alt_text", "is_primary", "order")


def backfill(apps, schema_editor):
    Product = apps.get_model("marketplace", "Product")
    ProductImage = apps.get_model("marketplace", "ProductImage")
    product_ids = list(Product.objects.filter(images__isnull=False).distinct().values_list("pk", flat=True))
    for start in range(0, len(product_ids), 500):
        galleries = {product_id: [] for product_id in product_ids[start : start + 500]}
        rows = (
            ProductImage.objects.filter(product_id__in=galleries)
            .order_by("product_id", "-is_primary", "order", "id")
            .values("product_id", *FIELDS)
        )
        for row in rows:
            galleries[row.pop("product_id")].append(row)
        Product.objects.bulk_update(
            [Product(pk=product_id, gallery=gallery) for product_id, gallery in galleries.items()],
            ["gallery"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_seller_rating"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="gallery",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
