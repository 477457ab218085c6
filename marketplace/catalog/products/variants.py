"""Product variants (issue 15): the options a product varies by and the combinations its seller
offers, each with its own SKU, price, stock, weight and dimensions.

The invariants everyone relies on (see ``ProductVariant``), kept here in the transaction that
changes the variants, under the product's row lock:

- ``option_key`` is the combination in one canonical string (``option_key``);
- while ``Product.has_variants``: ``price`` / ``original_price`` are those of the cheapest active
  variant (the list's "from" price) and ``stock_quantity`` is the sum of the active variants'
  stock (``product_variants_derive``). With no active variant the price is the cheapest
  declared one's and the stock 0.

``variants_validate`` is the one validation of a write (the E48/E49 serializer and the service
both run it), ``product_variants_write`` replaces a product's options and variants.
"""

from dataclasses import dataclass

from django.utils import timezone

from designiaBackend.errors import ApplicationError
from marketplace.catalog.models import ProductOption, ProductVariant

MAX_OPTIONS = 5
MAX_OPTION_VALUES = 50
MAX_VARIANTS = 100
OPTION_KEY_LENGTH = 255
VARIANT_FIELDS = ("price", "original_price", "stock_quantity", "weight", "width_cm", "depth_cm", "height_cm")


class VariantInvalidError(ApplicationError):
    """A write's options or variants break a rule; ``field`` is ``options`` or ``variants``."""

    code = "invalid_variants"
    default_message = "The options or variants are not valid."

    def __init__(self, message, *, field="variants"):
        super().__init__(message)
        self.field = field


def option_key(options):
    """``{"wood": "oak", "size": "120"}`` -> ``"size=120|wood=oak"`` (names lowercase, sorted;
    blanks collapsed): the stored ``ProductVariant.option_key`` and the cart's lookup by options."""
    named = {option_name(name): option_value(value) for name, value in options.items()}
    return "|".join(f"{name}={value}" for name, value in sorted(named.items()))


def option_name(name):
    return " ".join(str(name).split()).lower()


def option_value(value):
    return " ".join(str(value).split())


@dataclass(frozen=True)
class VariantSet:
    """A validated write: options in order, variants as dicts (missing fields left out)."""

    options: list  # [{"name": "wood", "values": ["oak", "walnut"]}]
    variants: list  # [{"sku", "options", "option_key", <given VARIANT_FIELDS>, "is_active"?}]


def _clean_options(options):
    cleaned, seen = [], set()
    if len(options) > MAX_OPTIONS:
        raise VariantInvalidError(f"Give at most {MAX_OPTIONS} options.", field="options")
    for option in options:
        name = option_name(option.get("name", ""))
        values = [option_value(value) for value in option.get("values") or ()]
        if not name or name in seen:
            raise VariantInvalidError(f"Option names must be given once each ({name!r}).", field="options")
        if not values or "" in values or len(set(values)) != len(values):
            raise VariantInvalidError(f"Option {name!r} needs distinct, non-empty values.", field="options")
        if len(values) > MAX_OPTION_VALUES:
            raise VariantInvalidError(f"Option {name!r} has more than {MAX_OPTION_VALUES} values.")
        seen.add(name)
        cleaned.append({"name": name, "values": values})
    return cleaned


def _clean_variant(variant, values_by_name):
    sku = str(variant.get("sku") or "").strip()
    if not sku:
        raise VariantInvalidError("Every variant needs a SKU.")
    chosen = {
        option_name(name): option_value(value) for name, value in (variant.get("options") or {}).items()
    }
    if set(chosen) != set(values_by_name):
        raise VariantInvalidError(
            f"Variant {sku}: give exactly one value for each option ({', '.join(sorted(values_by_name))})."
        )
    for name, value in chosen.items():
        if value not in values_by_name[name]:
            raise VariantInvalidError(f"Variant {sku}: {value!r} is not a value of option {name!r}.")
    for field in ("price", "original_price"):
        if variant.get(field) is not None and variant[field] <= 0:
            raise VariantInvalidError(f"Variant {sku}: the {field.replace('_', ' ')} must be above 0.")
    for field in ("stock_quantity", "weight", "width_cm", "depth_cm", "height_cm"):
        if variant.get(field) is not None and variant[field] < 0:
            raise VariantInvalidError(f"Variant {sku}: {field} cannot be negative.")
    key = option_key(chosen)
    if len(key) > OPTION_KEY_LENGTH:
        raise VariantInvalidError(f"Variant {sku}: the option values are too long.")
    given = {field: variant[field] for field in (*VARIANT_FIELDS, "is_active") if field in variant}
    return {"sku": sku, "options": chosen, "option_key": key, **given}


def variants_validate(*, options, variants):
    """The ``VariantSet`` of a write, or ``VariantInvalidError``: options named once with distinct
    values, every variant with a SKU of its own, one value of each option (among its values), a
    combination of its own, prices above 0 and no negative stock, weight or dimensions. Options
    need variants; variants need options; ``variants == []`` removes them (then no options)."""
    options = _clean_options(list(options or ()))
    variants = list(variants or ())
    if options and not variants:
        raise VariantInvalidError("Options need at least one variant.", field="options")
    if variants and not options:
        raise VariantInvalidError("Variants need the product's options.")
    if len(variants) > MAX_VARIANTS:
        raise VariantInvalidError(f"Give at most {MAX_VARIANTS} variants.")
    values_by_name = {option["name"]: option["values"] for option in options}
    cleaned = [_clean_variant(variant, values_by_name) for variant in variants]
    skus = [variant["sku"].lower() for variant in cleaned]
    if len(set(skus)) != len(skus):
        raise VariantInvalidError("Each variant needs its own SKU (a SKU is given twice).")
    keys = [variant["option_key"] for variant in cleaned]
    if len(set(keys)) != len(keys):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise VariantInvalidError(f"Two variants have the same option combination ({duplicate}).")
    return VariantSet(options=options, variants=cleaned)


def product_options_list(product_id):
    """The product's options as written (``[{"name", "values"}]``, in order)."""
    return [
        {"name": name, "values": values}
        for name, values in ProductOption.objects.filter(product_id=product_id)
        .order_by("position", "id")
        .values_list("name", "values")
    ]


def requested_options(data, product_id):
    """The options a write means: the given ones; none when it removes the variants
    (``variants: []``) or creates the product; else (E49 with only ``variants``) the product's."""
    if "options" in data:
        return data["options"]
    if data.get("variants") == [] or product_id is None:
        return []
    return product_options_list(product_id)


def _variants_remove(variants):
    """Delete ``variants``; those order items point at are deactivated instead (history keeps them)."""
    ids = [variant.pk for variant in variants]
    ordered = set(
        ProductVariant.objects.filter(pk__in=ids, order_items__isnull=False).values_list("pk", flat=True)
    )
    ProductVariant.objects.filter(pk__in=ordered, is_active=True).update(is_active=False)
    ProductVariant.objects.filter(pk__in=set(ids) - ordered).delete()
    return ordered


def product_variants_write(*, product, variant_set, default_price):
    """Replace the options and variants of ``product`` (saved, row-locked by the caller) with
    ``variant_set``: variants matched by SKU are updated (fields not given keep their values;
    a listed variant is active unless it says ``is_active: false``), new SKUs created (price defaulting to ``default_price``), missing ones deleted or, when an
    order item points at them, deactivated. Sets ``product.has_variants``; the caller derives
    the price and stock (``product_variants_derive``) and saves the product."""
    existing = {variant.sku.lower(): variant for variant in ProductVariant.objects.filter(product=product)}
    wanted = {variant["sku"].lower() for variant in variant_set.variants}
    kept = _variants_remove([v for sku, v in existing.items() if sku not in wanted])
    ProductOption.objects.filter(product=product).delete()
    ProductOption.objects.bulk_create(
        ProductOption(product=product, name=option["name"], values=option["values"], position=position)
        for position, option in enumerate(variant_set.options)
    )
    _park_combinations(
        [v for v in existing.values() if v.pk in kept], {v["option_key"] for v in variant_set.variants}
    )
    updated, created = [], []
    for position, data in enumerate(variant_set.variants):
        variant = existing.get(data["sku"].lower())
        if variant is None:
            variant = ProductVariant(product=product, price=default_price)
            created.append(variant)
        else:
            updated.append(variant)
        for field, value in data.items():
            if field == "price" and value is None:
                continue
            setattr(variant, field, value)
        variant.position = position
        variant.is_active = data.get("is_active", True)
    _variants_save(updated, created)
    product.has_variants = bool(variant_set.variants)


def _park_combinations(kept, wanted_keys):
    """A variant kept only for order history gives up a combination the write offers again (the
    (product, option_key) constraint): its key becomes ``~<pk>:<key>``, never a canonical one."""
    for variant in kept:
        if variant.option_key in wanted_keys:
            variant.option_key = f"~{variant.pk}:{variant.option_key}"[:OPTION_KEY_LENGTH]
            variant.save(update_fields=["option_key", "updated_at"])


def _variants_save(updated, created):
    """Updated rows first with a parking key (two variants may swap combinations), then new ones."""
    fields = ["sku", "options", "option_key", *VARIANT_FIELDS, "is_active", "position", "updated_at"]
    final_keys = {variant.pk: variant.option_key for variant in updated}
    now = timezone.now()  # bulk_update leaves auto_now alone
    for variant in updated:
        variant.option_key, variant.updated_at = f"~swap:{variant.pk}", now
    ProductVariant.objects.bulk_update(updated, ["option_key"])
    for variant in updated:
        variant.option_key = final_keys[variant.pk]
    ProductVariant.objects.bulk_update(updated, fields)
    ProductVariant.objects.bulk_create(created)


def product_variants_derive(product):
    """Set the price, original price and stock of a product with variants from its variants
    (in memory: the caller saves). Returns the active variants' option values (for search)."""
    if not product.has_variants:
        return []
    rows = list(
        ProductVariant.objects.filter(product_id=product.pk)
        .order_by("price", "position", "id")
        .values("price", "original_price", "stock_quantity", "is_active", "options")
    )
    active = [row for row in rows if row["is_active"]]
    cheapest = (active or rows or [None])[0]
    if cheapest is not None:
        product.price, product.original_price = cheapest["price"], cheapest["original_price"]
    product.stock_quantity = sum(row["stock_quantity"] for row in active)
    return _values_of(row["options"] for row in active)


def _values_of(option_dicts):
    return list(dict.fromkeys(value for options in option_dicts for value in options.values()))


def variant_option_values(product):
    """The option values of the product's active variants (what search and filters know it by)."""
    if not (product.pk and getattr(product, "has_variants", False)):
        return []
    rows = ProductVariant.objects.filter(product_id=product.pk, is_active=True).values_list(
        "options", flat=True
    )
    return _values_of(rows)


def variant_options_by_product(product_ids):
    """``{product_id: [{name: value}, ...]}`` of the active variants of these products (one query)."""
    found: dict[int, list[dict]] = {}
    rows = ProductVariant.objects.filter(product_id__in=list(product_ids), is_active=True).values_list(
        "product_id", "options"
    )
    for product_id, options in rows:
        found.setdefault(product_id, []).append(options)
    return found
