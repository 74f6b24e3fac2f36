from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from veza.audit import client_ip
from veza.errors import Throttled


class SignupForm(forms.Form):
    username = forms.CharField(max_length=50, help_text="3 to 50 characters: letters, digits and _ . -")
    email = forms.EmailField(max_length=255)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        try:
            services.registration_validate(
                username=data.get("username", ""), email=data.get("email", ""), password=data.get("password1", "")
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                field = "password1" if field == "password" else field
                if field not in self.errors:
                    self.add_error(field, errors)
        return data


class LoginForm(AuthenticationForm):
    """Username or email; failures are throttled per account and per IP (services.user_authenticate)."""

    username = forms.CharField(label="Username or email", max_length=255)
    throttled = False

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier and password:
            try:
                self.user_cache = services.user_authenticate(
                    request=self.request, identifier=identifier, password=password, ip=client_ip(self.request)
                )
            except Throttled as exc:
                self.throttled = True
                raise forms.ValidationError(str(exc), code="throttled") from exc
            except services.InvalidCredentials as exc:
                raise forms.ValidationError(services.InvalidCredentials.message, code="invalid_login") from exc
        return self.cleaned_data


class ProfileForm(forms.ModelForm):
    avatar_file = forms.ImageField(label="Avatar", required=False, help_text="JPEG, PNG, WebP or GIF, 5 MB at most.")
    remove_avatar = forms.BooleanField(label="Remove my avatar", required=False)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "bio")
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
