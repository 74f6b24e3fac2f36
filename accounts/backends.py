from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from accounts.selectors import user_for_login


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the email address, compared as :func:`accounts.selectors.fold` says
    (NFKC, then casefold): the same lookup decides whose login counter a failure counts against."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # Spend the time of a hash anyway so an unknown account cannot be told apart by timing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
