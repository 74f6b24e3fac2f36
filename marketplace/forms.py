from django import forms

from marketplace.models import DESCRIPTION_MAX, MAX_PRICE, Listing, Product


class ProductForm(forms.ModelForm):
    price = forms.DecimalField(min_value=0, max_value=MAX_PRICE, max_digits=10, decimal_places=2, label="Price (€)")
    description = forms.CharField(max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = Product
        fields = ("name", "description", "price", "category")


class ListingForm(forms.ModelForm):
    price = forms.DecimalField(min_value=0, max_value=MAX_PRICE, max_digits=10, decimal_places=2, label="Price (€)")
    description = forms.CharField(max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = Listing
        fields = ("title", "description", "price")
