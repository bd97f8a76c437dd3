"""URLs of care routing, included from rehabcare/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
