from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.moderated_api import ModerationSerializer, moderation_of
from marketplace.models import DESCRIPTION_MAX, MAX_PRICE, Listing, Product


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


PRICE = {"max_digits": 10, "decimal_places": 2, "min_value": 0, "max_value": MAX_PRICE, "coerce_to_string": True}


class ModeratedFields(serializers.Serializer):
    """A read-only ``moderation`` field: null, or when and why moderators hid the item."""

    moderation = serializers.SerializerMethodField(help_text="Hidden by moderation: when and why (else null).")

    @extend_schema_field(ModerationSerializer(allow_null=True))
    def get_moderation(self, item) -> dict | None:
        return moderation_of(item)


class ProductSerializer(ModeratedFields, serializers.ModelSerializer):
    creator = OwnerSerializer(read_only=True)
    price = serializers.DecimalField(**PRICE, help_text="Price in euros.")
    description = serializers.CharField(max_length=DESCRIPTION_MAX)

    class Meta:
        model = Product
        fields = ("id", "name", "description", "price", "category", "is_active", "moderation", "creator", "created_at",
                  "updated_at")  # fmt: skip
        read_only_fields = ("id", "moderation", "creator", "created_at", "updated_at")


class ListingSerializer(ModeratedFields, serializers.ModelSerializer):
    seller = OwnerSerializer(read_only=True)
    price = serializers.DecimalField(**PRICE, help_text="Price in euros.")
    description = serializers.CharField(max_length=DESCRIPTION_MAX)

    class Meta:
        model = Listing
        fields = ("id", "title", "description", "price", "status", "moderation", "seller", "created_at", "updated_at")
        read_only_fields = ("id", "status", "moderation", "seller", "created_at", "updated_at")
