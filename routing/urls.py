"""URLs of care routing, included from rehabcare/urls.py."""

from django.urls import URLPattern, path

from . import plan_views, rescreen_views, views

urlpatterns: list[URLPattern] = [
    path("reviews/", views.review_queue, name="review_queue"),
    path("patients/<int:patient_id>/reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path(
        "patients/<int:patient_id>/reviews/<int:review_id>/plan/",
        plan_views.review_plan,
        name="review_plan",
    ),
    path(
        "patients/<int:patient_id>/rescreens/cancel/",
        rescreen_views.rescreen_cancel,
        name="rescreen_cancel",
    ),
]
