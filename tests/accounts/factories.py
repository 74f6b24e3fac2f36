import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User

PASSWORD = "correct horse battery staple"
_HASHED = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:03d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = _HASHED
    role = Role.USER


class AdminFactory(UserFactory):
    role = Role.ADMIN


class SuperAdminFactory(UserFactory):
    role = Role.SUPER_ADMIN
