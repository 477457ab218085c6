import factory

from authentication.models import Profile, User

DEFAULT_PASSWORD = "Corr3ct-Horse-Battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified customer whose password is ``DEFAULT_PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ada"
    last_name = "Maker"
    is_email_verified = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def with_profile(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            Profile.objects.get_or_create(user=obj)


class SellerFactory(UserFactory):
    role = User.Role.SELLER
    two_factor_enabled = True


class StaffFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
