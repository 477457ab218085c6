"""Every EU member state's standard VAT rate (as of 2026); staff edit them in the admin."""

from decimal import Decimal

from django.db import migrations

EU_STANDARD_VAT = {
    "AT": "0.20",
    "BE": "0.21",
    "BG": "0.20",
    "CY": "0.19",
    "CZ": "0.21",
    "DE": "0.19",
    "DK": "0.25",
    "EE": "0.24",
    "ES": "0.21",
    "FI": "0.255",
    "FR": "0.20",
    "GR": "0.24",
    "HR": "0.25",
    "HU": "0.27",
    "IE": "0.23",
    "IT": "0.22",
    "LT": "0.21",
    "LU": "0.17",
    "LV": "0.21",
    "MT": "0.18",
    "NL": "0.21",
    "PL": "0.23",
    "PT": "0.23",
    "RO": "0.21",
    "SE": "0.25",
    "SI": "0.22",
    "SK": "0.23",
}


def seed(apps, schema_editor):
    VatRate = apps.get_model("marketplace", "VatRate")
    for country, rate in EU_STANDARD_VAT.items():
        VatRate.objects.get_or_create(country=country, defaults={"rate": Decimal(rate)})


def unseed(apps, schema_editor):
    apps.get_model("marketplace", "VatRate").objects.filter(country__in=list(EU_STANDARD_VAT)).delete()


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0012_tax_by_destination")]

    operations = [migrations.RunPython(seed, unseed)]
