"""``manage.py seed_demo``: a realistic demo catalogue, safe to run again (idempotent).

Accounts (passwords are for local demos only):
  demo-admin@designia.local   DemoAdmin-2024!   staff, Django admin
  demo-seller{1..3}@designia.local   DemoSeller-2024!   sellers with shops
  demo-buyer{1..3}@designia.local    DemoBuyer-2024!    buyers with delivered orders; buyer1 also
                                                       has a two-seller order half shipped

``--products N`` sets the catalogue size (default 240; the benchmark uses 10,000); the products
sold in variants (``demo_data.VARIANT_PRODUCTS``, e.g. a dining table as Oak-120 and Walnut-160)
come on top.
``--categories-only`` creates just the default categories (for production).

Demo data stays demo: with ``DEBUG=False`` the command refuses to run unless given
``--allow-production``, and even then it creates no staff account (the demo admin's password is
public); ``make run`` (DEBUG on) is unchanged.
"""

import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from infrastructure.images import make_thumbnail
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.categories.services import category_ensure_defaults
from marketplace.catalog.images.services import product_galleries_refresh
from marketplace.catalog.models import Category, Product, ProductImage
from marketplace.catalog.products.attributes import product_attributes_sync
from marketplace.catalog.products.demo_data import COMMENTS, VARIANT_PRODUCTS, demo_photo, product_spec
from marketplace.catalog.products.seller_ratings import seller_ratings_rebuild
from marketplace.catalog.products.services import product_refresh_search_document, product_variants_sync
from marketplace.catalog.products.variants import VARIANT_FIELDS, product_variants_write, variants_validate
from marketplace.catalog.search.vocabulary import vocabulary_rebuild
from marketplace.demo_seeds import demo_seeders_run
from marketplace.ordering.demo_orders import (
    demo_half_shipped_order,
    demo_order_create,
    demo_shipping_profiles,
)
from marketplace.ordering.models import Order
from marketplace.reviews.models import Review

ADMIN = ("demo-admin@designia.local", "DemoAdmin-2024!")
SELLER_PASSWORD = "DemoSeller-2024!"  # noqa: S105 - documented demo account
BUYER_PASSWORD = "DemoBuyer-2024!"  # noqa: S105 - documented demo account
SHOPS = ["Nordic Wood Atelier", "Kasa Clay & Home", "Forma Metalworks"]
PHOTO_POOL = 24
BATCH = 500


class Command(BaseCommand):
    help = "Load demo categories, sellers, buyers, products with photos and reviews (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=240, help="catalogue size (default 240)")
        parser.add_argument("--categories-only", action="store_true", help="only the default categories")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load demo accounts and products although DEBUG=False (no staff account is created)",
        )

    def handle(self, *args, products, categories_only, allow_production, **options):
        if not settings.DEBUG and not categories_only and not allow_production:
            raise CommandError(
                "Refusing to load demo data with DEBUG=False: its accounts have published passwords. "
                "Pass --allow-production to load it anyway (without the staff account), "
                "or --categories-only for the default categories."
            )
        made = category_ensure_defaults()
        self.stdout.write(f"Categories: {made} created.")
        if categories_only:
            return
        if settings.DEBUG:
            self._admin()
        else:
            self.stdout.write("DEBUG=False: no demo staff account created.")
        sellers, buyers = self._accounts()
        demo_shipping_profiles(sellers)
        photos = self._photos()
        created = self._products(products, sellers, photos)
        created += self._variant_products(sellers, photos)
        self.stdout.write(f"Search vocabulary: {vocabulary_rebuild()} terms.")
        reviews = self._reviews(buyers)
        self._half_shipped_order(buyers[0], sellers)
        for line in demo_seeders_run():
            self.stdout.write(line)
        category_tree_invalidate()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {created} new products, {reviews} new reviews.")
        )

    def _user(self, email, password, **fields):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, is_email_verified=True, **fields)
        return user

    def _admin(self):
        """The documented demo staff account (development only: its password is in the README)."""
        User = get_user_model()
        admin = self._user(
            ADMIN[0],
            ADMIN[1],
            username="demo-admin",
            role=User.Role.ADMIN,
            is_staff=True,
        )
        if not admin.is_superuser:
            admin.is_superuser = True
            admin.save(update_fields=["is_superuser"])

    def _accounts(self):
        User = get_user_model()
        sellers = []
        for number, shop in enumerate(SHOPS, start=1):
            seller = self._user(
                f"demo-seller{number}@designia.local",
                SELLER_PASSWORD,
                username=f"demo-seller{number}",
                role=User.Role.SELLER,
                two_factor_enabled=True,
            )
            if seller.profile.shop_name != shop:
                seller.profile.shop_name = shop
                seller.profile.bio = f"{shop}: small-batch furniture and objects, made to last."
                seller.profile.save()
            sellers.append(seller)
        buyers = [
            self._user(
                f"demo-buyer{n}@designia.local",
                BUYER_PASSWORD,
                username=f"demo-buyer{n}",
            )
            for n in (1, 2, 3)
        ]
        return sellers, buyers

    def _photos(self):
        """A pool of generated photos (stored once, shared by demo products)."""
        names = []
        for index in tqdm(range(PHOTO_POOL), desc="photos", unit="photo"):
            name, thumb = (
                f"products/demo/demo-{index}.jpg",
                f"products/demo/demo-{index}-thumb.webp",
            )
            if not default_storage.exists(name):
                data = demo_photo(index)
                name = default_storage.save(name, ContentFile(data))
                thumb = default_storage.save(thumb, make_thumbnail(data))
            names.append((name, thumb))
        return names

    def _products(self, total, sellers, photos):
        categories = {c.slug: c for c in Category.objects.filter(parent__isnull=False)}
        slugs = sorted(categories)
        existing = set(Product.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
        created = 0
        with tqdm(total=total, desc="products", unit="product") as progress:
            for start in range(0, total, BATCH):
                batch = []
                for index in range(start, min(start + BATCH, total)):
                    spec = product_spec(index, slugs)
                    slug = f"demo-{index}"
                    if slug in existing:
                        continue
                    category = categories[spec.pop("category_slug")]
                    product = Product(
                        slug=slug,
                        seller=sellers[index % len(sellers)],
                        category=category,
                        **spec,
                    )
                    product_refresh_search_document(product)
                    batch.append(product)
                created += self._save_batch(batch, photos)
                progress.update(min(BATCH, total - start))
        return created

    @transaction.atomic
    def _save_batch(self, batch, photos):
        Product.objects.bulk_create(batch, batch_size=BATCH)
        saved = {p.slug: p for p in Product.objects.filter(slug__in=[p.slug for p in batch])}
        images = []
        for product in saved.values():
            number = int(product.slug.split("-")[1])
            for position in range(1 + number % 2):
                image, thumb = photos[(number + position * 7) % len(photos)]
                images.append(
                    ProductImage(
                        product=product,
                        image=image,
                        thumbnail=thumb,
                        alt_text=product.name,
                        is_primary=position == 0,
                        order=position,
                    )
                )
        ProductImage.objects.bulk_create(images, batch_size=BATCH)
        product_attributes_sync(saved.values())
        product_galleries_refresh([product.pk for product in saved.values()])
        return len(batch)

    def _variant_products(self, sellers, photos):
        """The demo products sold in variants (``demo_data.VARIANT_PRODUCTS``), through the variant
        services, so their price and stock follow the variants as a seller's would."""
        existing = set(
            Product.objects.filter(slug__startswith="demo-variant-").values_list("slug", flat=True)
        )
        specs = [spec for spec in VARIANT_PRODUCTS if spec["slug"] not in existing]
        for index, spec in enumerate(specs):
            self._variant_product(dict(spec), sellers[index % len(sellers)], photos)
        return len(specs)

    @transaction.atomic
    def _variant_product(self, spec, seller, photos):
        options, variants, photo_specs = spec.pop("options"), spec.pop("variants"), spec.pop("photos")
        category = Category.objects.get(slug=spec.pop("category_slug"))
        product = Product.objects.create(seller=seller, category=category, **spec)
        money = {field for field in VARIANT_FIELDS if field != "stock_quantity"}
        variants = [
            {key: Decimal(value) if key in money and value is not None else value for key, value in v.items()}
            for v in variants
        ]
        product_variants_write(
            product=product,
            variant_set=variants_validate(options=options, variants=variants),
            default_price=product.price,
        )
        product_variants_sync(product)
        product.save()
        ids = dict(product.variants.values_list("sku", "id"))
        for position, (sku, photo) in enumerate(photo_specs):
            image, thumb = photos[photo % len(photos)]
            ProductImage.objects.create(
                product=product,
                variant_id=ids.get(sku),
                image=image,
                thumbnail=thumb,
                alt_text=product.name,
                is_primary=position == 0,
                order=position,
            )
        product_galleries_refresh([product.pk])
        product_attributes_sync([product])

    @transaction.atomic
    def _reviews(self, buyers):
        """Each buyer gets a delivered order of some demo products and reviews most of them."""
        products = list(Product.objects.filter(slug__startswith="demo-").order_by("id")[:60])
        created = 0
        for offset, buyer in enumerate(buyers):
            if Order.objects.filter(buyer=buyer, buyer_notes="demo order").exists():
                continue
            mine = products[offset::3]
            self._delivered_order(buyer, mine)
            rng = random.Random(offset)
            reviews = [
                Review(
                    product=p,
                    reviewer=buyer,
                    rating=rng.choice([3, 4, 4, 5, 5]),
                    title=rng.choice(["Love it", "Solid", "Very nice", "As described"]),
                    comment=rng.choice(COMMENTS),
                    is_verified_purchase=True,
                )
                for p in mine[:-3]  # the last three stay unreviewed: try writing a review (F21)
            ]
            Review.objects.bulk_create(reviews)
            created += len(reviews)
        self._recompute_ratings(products)
        return created

    def _delivered_order(self, buyer, products):
        demo_order_create(buyer=buyer, products=products, status="delivered", note="demo order")

    def _half_shipped_order(self, buyer, sellers):
        """demo-buyer1's order from two makers: the first parcel shipped, the second to ship."""
        products = [
            Product.objects.filter(seller=s, slug__startswith="demo-").order_by("id").first()
            for s in sellers[:2]
        ]
        if all(products):
            demo_half_shipped_order(buyer=buyer, products=products)

    def _recompute_ratings(self, products):
        ratings = {}
        for product_id, rating in Review.objects.filter(product__in=products, is_hidden=False).values_list(
            "product_id", "rating"
        ):
            ratings.setdefault(product_id, []).append(rating)
        for product in products:
            values = ratings.get(product.id, [])
            counts = Counter(values)
            product.review_count = len(values)
            product.average_rating = (
                (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if values
                else Decimal("0.00")
            )
            product.rating_distribution = {str(star): counts.get(star, 0) for star in range(1, 6)}
        Product.objects.bulk_update(products, ["review_count", "average_rating", "rating_distribution"])
        seller_ratings_rebuild(seller_ids={product.seller_id for product in products})
