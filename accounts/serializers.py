"""Shapes of the accounts API. Serializers check shape only; services decide."""

from rest_framework import serializers

from accounts.models import User


def user_ref(user: User | None) -> dict | None:
    """A user as another entity names them (a message's author, a room's creator), in REST and socket events."""
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "avatar_url": user.avatar_url}


class UserRefSerializer(serializers.Serializer):
    """:func:`user_ref` for DRF (the fields are the schema's)."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    avatar_url = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, instance: User) -> dict | None:
        return user_ref(instance)


class PublicUserSerializer(serializers.ModelSerializer):
    """What anyone may see of an account: never its email or role."""

    avatar_url = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ("id", "username", "first_name", "last_name", "bio", "avatar_url", "created_at")
        read_only_fields = fields


class PrivateUserSerializer(serializers.ModelSerializer):
    """The account as its owner sees it."""

    avatar_url = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "role",
            "first_name",
            "last_name",
            "bio",
            "avatar_url",
            "is_verified",
            "last_login",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ProfileUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, allow_blank=True, allow_null=True, required=False)
    last_name = serializers.CharField(max_length=100, allow_blank=True, allow_null=True, required=False)
    bio = serializers.CharField(max_length=5000, allow_blank=True, allow_null=True, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {field: ["This field cannot be changed here."] for field in sorted(unknown)}
                )
        return super().to_internal_value(data)


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=50)
    email = serializers.EmailField(max_length=255)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=255, help_text="Username or email address.")
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    user = PrivateUserSerializer()


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048, required=False)
    all = serializers.BooleanField(default=False, help_text="Revoke every refresh token of the account.")

    def validate(self, attrs):
        if not attrs.get("refresh") and not attrs["all"]:
            raise serializers.ValidationError({"refresh": ["Give the refresh token to revoke, or all=true."]})
        return attrs
