from decimal import Decimal

import factory

from authentication.tests.factories import SellerFactory, UserFactory
from chat.models import Message, Thread
from marketplace.catalog.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Oak chair {n}")
    slug = factory.Sequence(lambda n: f"oak-chair-{n}")
    price = Decimal("120.00")
    stock_quantity = 5


def thread_between(first, second, product=None):
    """A thread between two users (about ``product`` if given), created without the service."""
    thread = Thread.objects.create(
        key=Thread.key_for(user_ids=(first.pk, second.pk), product_id=product.pk if product else None),
        product=product,
    )
    thread.participants.add(first, second)
    return thread


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Message {n}")


def add_message(thread, sender, text="hello", **fields):
    """A stored message that also becomes the thread's last message (as message_send does)."""
    message = Message.objects.create(thread=thread, sender=sender, text=text, **fields)
    Thread.objects.filter(pk=thread.pk).update(last_message=message, updated_at=message.created_at)
    return message
