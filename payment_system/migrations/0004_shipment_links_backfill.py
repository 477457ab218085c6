"""Seller transactions and refunds of existing orders name their shipment (the seller's one)."""

from django.db import migrations


def forwards(apps, schema_editor):
    SellerTransaction = apps.get_model("payment_system", "SellerTransaction")
    Refund = apps.get_model("payment_system", "Refund")
    Shipment = apps.get_model("marketplace", "Shipment")
    for row in SellerTransaction.objects.filter(shipment__isnull=True).iterator(chunk_size=500):
        row.shipment = Shipment.objects.filter(order_id=row.order_id, seller_id=row.seller_id).first()
        if row.shipment is not None:
            row.save(update_fields=["shipment"])
    for refund in Refund.objects.filter(shipment__isnull=True, return_request__isnull=False).select_related(
        "return_request"
    ):
        refund.shipment_id = refund.return_request.shipment_id
        refund.save(update_fields=["shipment"])


def backwards(apps, schema_editor):
    apps.get_model("payment_system", "SellerTransaction").objects.update(shipment=None)
    apps.get_model("payment_system", "Refund").objects.update(shipment=None)


class Migration(migrations.Migration):
    dependencies = [
        ("payment_system", "0003_shipment_links"),
        ("marketplace", "0007_shipments_backfill"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
