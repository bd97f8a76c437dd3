from django.urls import path

from . import hooks, views

urlpatterns = [
    # The patient's pages: no login, a link token or a signed opt-out instead.
    path("r/<str:token>/", views.checkin_form, name="checkin_form"),
    path("r/<str:token>/questionnaire/", views.checkin_questionnaire, name="checkin_questionnaire"),
    path("r/<str:token>/read/<int:assignment_id>/", views.education_read, name="checkin_education_read"),
    path("stop/<str:signed>/", views.checkin_opt_out, name="checkin_opt_out"),
    # Staff pages.
    path("patients/<int:patient_id>/checkins/schedule/", views.schedule_edit, name="checkin_schedule"),
    path("patients/<int:patient_id>/checkins/reminders/", views.reminder_log, name="checkin_reminders"),
    path(
        "patients/<int:patient_id>/checkins/reminders/<int:reminder_id>/resend/",
        views.reminder_resend,
        name="checkin_reminder_resend",
    ),
    # Delivery receipts from the providers: no login, each proves it is the provider's (checkins/hooks.py).
    path("hooks/notify/status/", hooks.notify_status, name="delivery_receipt_notify"),
    path("hooks/twilio/status/", hooks.twilio_status, name="delivery_receipt_twilio"),
    *hooks.anymail_tracking_patterns(),
    # Development only, for clinic admins (404 for anyone else, and for everyone without DEBUG).
    path("dev/outbox/", views.outbox, name="outbox"),
]
