from rest_framework import serializers

from marketplace.models import DESCRIPTION_MAX, MAX_PRICE, Listing, Product


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


PRICE = {"max_digits": 10, "decimal_places": 2, "min_value": 0, "max_value": MAX_PRICE, "coerce_to_string": True}


class ProductSerializer(serializers.ModelSerializer):
    creator = OwnerSerializer(read_only=True)
    price = serializers.DecimalField(**PRICE, help_text="Price in euros.")
    description = serializers.CharField(max_length=DESCRIPTION_MAX)

    class Meta:
        model = Product
        fields = ("id", "name", "description", "price", "category", "is_active", "creator", "created_at", "updated_at")
        read_only_fields = ("id", "creator", "created_at", "updated_at")


class ListingSerializer(serializers.ModelSerializer):
    seller = OwnerSerializer(read_only=True)
    price = serializers.DecimalField(**PRICE, help_text="Price in euros.")
    description = serializers.CharField(max_length=DESCRIPTION_MAX)

    class Meta:
        model = Listing
        fields = ("id", "title", "description", "price", "status", "seller", "created_at", "updated_at")
        read_only_fields = ("id", "status", "seller", "created_at", "updated_at")
