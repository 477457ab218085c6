import pytest

from ar.tests.factories import ProductFactory
from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory


@pytest.fixture
def seller(db):
    return SellerFactory()


@pytest.fixture
def other_seller(db):
    return SellerFactory()


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def product(seller):
    return ProductFactory(seller=seller)


@pytest.fixture
def seller_client(auth_client, seller):
    return auth_client(seller)
