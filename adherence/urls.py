from django.urls import path

from . import views

urlpatterns = [
    path("my/day/", views.day_list, name="day_list"),
    path("dashboard/", views.clinic_dashboard, name="clinic_dashboard"),
    path("dashboard/patients/", views.dashboard_patients, name="dashboard_patients"),
    path("audits/", views.audits_page, name="audits"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("patients/<int:patient_id>/sessions/record/", views.session_record, name="session_record"),
    path("patients/<int:patient_id>/sessions/book/", views.session_book, name="session_book"),
    path(
        "patients/<int:patient_id>/sessions/<int:session_id>/status/",
        views.session_status,
        name="session_status",
    ),
    path("patients/<int:patient_id>/exercise-logs/new/", views.exercise_log_new, name="exercise_log_new"),
    path("patients/<int:patient_id>/measures/new/", views.measure_new, name="measure_new"),
    path("patients/<int:patient_id>/report/", views.progress_report, name="progress_report"),
    path("patients/<int:patient_id>/report.pdf", views.progress_report_pdf, name="progress_report_pdf"),
    # --- caregivers ---
    path(
        "patients/<int:patient_id>/caregivers/<int:caregiver_id>/send/",
        views.caregiver_send,
        name="caregiver_send",
    ),
]
