"""The floor's three views."""

from django.urls import path

from . import views

urlpatterns = [
    path("plain/", views.plain),
    path("query/", views.query),
    path("insert/", views.insert),
]
