from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the email address, both case-insensitive."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        identifier = username.strip()
        user = User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
        if user is None:
            # Spend the time of a hash anyway so an unknown account cannot be told apart by timing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
