from django.urls import path

from . import views

PLAN = "patients/<int:patient_id>/plans/<int:plan_id>/"

urlpatterns = [
    path("my/responsibilities/", views.my_responsibilities, name="my_responsibilities"),
    path("patients/<int:patient_id>/plan/", views.careplan_home, name="careplan_home"),
    path("patients/<int:patient_id>/plans/new/", views.careplan_new, name="careplan_new"),
    path(PLAN, views.careplan_detail, name="careplan_detail"),
    path(PLAN + "edit/", views.careplan_edit, name="careplan_edit"),
    path(PLAN + "print/", views.careplan_print, name="careplan_print"),
    path(PLAN + "status/", views.careplan_status, name="careplan_status"),
    path(PLAN + "support/", views.plan_support, name="plan_support"),
    path(PLAN + "parts/<str:part>/new/", views.part_new, name="careplan_part_new"),
    path(PLAN + "parts/<str:part>/<int:part_id>/", views.part_edit, name="careplan_part_edit"),
    path(
        PLAN + "milestones/<int:milestone_id>/achieved/",
        views.milestone_achieved,
        name="careplan_milestone_achieved",
    ),
    # --- education ---
    path(PLAN + "education/assign/", views.education_assign, name="careplan_education_assign"),
    path(
        "patients/<int:patient_id>/education/<int:assignment_id>/print/",
        views.education_print,
        name="careplan_education_print",
    ),
    # --- caregivers ---
    path(
        PLAN + "caregivers/<int:caregiver_id>/withdraw/",
        views.caregiver_withdraw,
        name="careplan_caregiver_withdraw",
    ),
    # --- preferences ---
    path("patients/<int:patient_id>/preferences/", views.care_preferences, name="care_preferences"),
    # --- directory and referrals ---
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/verified/", views.resource_verify, name="resource_verify"),
    path(
        PLAN + "referrals/<int:referral_id>/letter.pdf",
        views.referral_letter,
        name="careplan_referral_letter",
    ),
]
