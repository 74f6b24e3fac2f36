from django.urls import path

from core.api import Router
from marketplace import api, views

app_name = "marketplace"

router = Router()
router.register("products", api.ProductViewSet, basename="product")
router.register("listings", api.ListingViewSet, basename="listing")
api_urlpatterns = router.urls

urlpatterns = [
    path("shop/", views.catalogue, name="catalogue"),
    path("shop/listings/", views.listing_list, name="listings"),
    path("shop/products/<int:pk>/", views.product_detail, name="product"),
    path("shop/listings/<int:pk>/", views.listing_detail, name="listing"),
    path("shop/seller/<str:username>/", views.seller, name="seller"),
    path("shop/mine/", views.my_shop, name="mine"),
    path("shop/mine/products/new/", views.product_edit, name="product-new"),
    path("shop/mine/products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("shop/mine/products/<int:pk>/<str:op>/", views.product_action, name="product-action"),
    path("shop/mine/listings/new/", views.listing_edit, name="listing-new"),
    path("shop/mine/listings/<int:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("shop/mine/listings/<int:pk>/<str:op>/", views.listing_action, name="listing-action"),
]
