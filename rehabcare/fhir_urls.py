"""FHIR R4 under /fhir/ (``application/fhir+json``)."""

from django.urls import path

from careplans import fhir as careplans_fhir
from routing import fhir as routing_fhir
from screening import fhir as screening_fhir
from teams import fhir as teams_fhir

urlpatterns = [
    path("Patient/<int:patient_id>", teams_fhir.PatientResourceView.as_view(), name="fhir_patient"),
    path("Questionnaire", screening_fhir.QuestionnaireListView.as_view(), name="fhir_questionnaire_list"),
    path("Questionnaire/<str:code>", screening_fhir.QuestionnaireView.as_view(), name="fhir_questionnaire"),
    path(
        "QuestionnaireResponse",
        screening_fhir.QuestionnaireResponseListView.as_view(),
        name="fhir_questionnaire_response_list",
    ),
    path(
        "QuestionnaireResponse/<int:screening_id>",
        screening_fhir.QuestionnaireResponseView.as_view(),
        name="fhir_questionnaire_response",
    ),
    path("Task", routing_fhir.TaskListView.as_view(), name="fhir_task_list"),
    path("Task/<int:review_id>", routing_fhir.TaskView.as_view(), name="fhir_task"),
    path("CarePlan/<int:plan_id>", careplans_fhir.CarePlanView.as_view(), name="fhir_care_plan"),
]
