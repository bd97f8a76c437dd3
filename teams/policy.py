"""Who may do what: every rule of the form "may this user see, change or run this", in one place.

Views, API views, services, tasks and the access-matrix test ask these functions; nothing else
decides. A user who is signed out or deactivated may do nothing. Clinic admins work across every
team. Everyone else works in the teams they are members of, and leads the teams they lead.

Emergency access ("break glass") lets a clinician *read* a patient outside their teams for a while,
and add a screening or an emergency note; it never lets them change the record or move the patient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Patient, Team, User


def is_active_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_clinic_admin(user: Any) -> bool:
    return is_active_staff(user) and bool(user.is_clinic_admin)


# Seeing ---------------------------------------------------------------------------------------------


def patients_visible(user: Any, patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """The one access rule: clinic admins see everyone, staff the patients of their teams, and, until
    it expires, a patient they opened by emergency access."""
    from .models import EmergencyAccess, Membership

    if not is_active_staff(user):
        return patients.none()
    if user.is_clinic_admin:
        return patients.all()
    teams = Membership.objects.filter(user=user).values("team")
    emergency = EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values("patient")
    return patients.filter(Q(team__in=teams) | Q(pk__in=emergency))


def with_team_access(user: Any, patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate ``through_team``: the user sees the patient through their own team (or as a clinic
    admin), not only by emergency access. Computed in the same query as the patient."""
    from .models import Membership

    if is_clinic_admin(user):
        return patients.annotate(through_team=Value(True))
    return patients.annotate(
        through_team=Exists(Membership.objects.filter(user_id=user.pk, team_id=OuterRef("team_id")))
    )


def _through_team(user: Any, patient: Patient) -> bool:
    annotated = getattr(patient, "through_team", None)
    if annotated is not None:
        return bool(annotated)
    return is_clinic_admin(user) or (is_active_staff(user) and is_member(user, patient.team_id))


def teams_worked_in(user: Any, teams: QuerySet[Team]) -> QuerySet[Team]:
    """The teams a user works in; clinic admins work across all of them."""
    if not is_active_staff(user):
        return teams.none()
    if user.is_clinic_admin:
        return teams.all()
    return teams.filter(memberships__user=user)


def conferences_visible(user: Any, conferences: QuerySet) -> QuerySet:
    """Conferences of the teams a user works in (clinic admins: all)."""
    from .models import Team

    return conferences.filter(team__in=teams_worked_in(user, Team.objects.all()))


def is_member(user: Any, team_id: int) -> bool:
    from .models import Membership

    return is_active_staff(user) and Membership.objects.filter(team_id=team_id, user_id=user.pk).exists()


# Changing a patient -------------------------------------------------------------------------------


def emergency_only(user: Any, patient: Patient) -> bool:
    """The user sees this patient only through emergency access: they may read, not change."""
    return not _through_team(user, patient)


def may_change_patient(user: Any, patient: Patient) -> bool:
    """Edit the record (identity, contact, care): the patient's own team, or a clinic admin."""
    return is_active_staff(user) and _through_team(user, patient)


def may_move_patient(user: Any, patient: Patient) -> bool:
    """Change the patient's team or primary clinician: a member of the patient's *current* team, or a
    clinic admin. Read from the database, not from what a form is about to save."""
    return is_clinic_admin(user) or is_member(user, patient.team_id)


# Leading and overseeing -----------------------------------------------------------------------------


def leads_team(user: Any, team_id: int) -> bool:
    """A lead of the team, or a clinic admin, who leads across all of them."""
    from .models import Membership

    if not is_active_staff(user):
        return False
    if user.is_clinic_admin:
        return True
    return Membership.objects.filter(team_id=team_id, user_id=user.pk, role=Membership.Role.LEAD).exists()


def led_teams(user: Any) -> QuerySet[Team]:
    """The teams whose conferences the user may plan and run, and whose figures they oversee."""
    from .models import Membership, Team

    if not is_active_staff(user):
        return Team.objects.none()
    if user.is_clinic_admin:
        return Team.objects.all()
    return Team.objects.filter(memberships__user_id=user.pk, memberships__role=Membership.Role.LEAD)


def overseen_teams(user: Any) -> QuerySet[Team] | None:
    """The dashboards, audits and exports: clinic admins oversee every team, team leads the teams they
    lead; anyone else none (None, answered 403)."""
    teams = led_teams(user)
    return teams if is_clinic_admin(user) or teams.exists() else None


def oversees_any_team(user: Any) -> bool:
    return overseen_teams(user) is not None


def may_export(user: Any) -> bool:
    """Exports of the dashboards' lists and tables: whoever oversees a team."""
    return oversees_any_team(user)


def may_download_export(user: Any, export: Any) -> bool:
    """An export is fetched by whoever asked for it, while they still may export."""
    return is_active_staff(user) and export.requested_by_id == user.pk and may_export(user)


def may_run_conference(user: Any, conference: Any) -> bool:
    """Leads of the team (and clinic admins) plan, start, reorder and close its conferences."""
    return leads_team(user, conference.team_id)


def may_complete_action(user: Any, action: Any) -> bool:
    """A conference action is marked done by its owner, a lead of its team or a clinic admin."""
    return is_active_staff(user) and (
        action.owner_id == user.pk or leads_team(user, action.conference.team_id)
    )


def may_read_outbox(user: Any) -> bool:
    """The development outbox holds working patient links: clinic admins only (and only in development,
    which the view checks)."""
    return is_clinic_admin(user)


# Psychosocial reviews (routing) -----------------------------------------------------------------------


def may_work_review(user: Any, review: Any) -> bool:
    """Start, reassign or resolve a review: anyone of the patient's team (or a clinic admin), not only its
    owner, so a colleague covers an absence; emergency access reads only."""
    return may_change_patient(user, review.patient)


def may_own_review(candidate: Any, patient: Patient) -> bool:
    """Who a review may be assigned to: an active member of the patient's current team."""
    return is_active_staff(candidate) and is_member(candidate, patient.team_id)


# Accounts ---------------------------------------------------------------------------------------------


def may_change_account(user: Any, account: User) -> bool:
    """In the admin: a superuser's account is changed only by a superuser."""
    return is_active_staff(user) and (user.is_superuser or not account.is_superuser)


# Training and supervision (training) ------------------------------------------------------------------


def _share_a_team(user: Any, other_id: int) -> bool:
    from .models import Membership

    mine = Membership.objects.filter(user_id=user.pk).values("team_id")
    return Membership.objects.filter(user_id=other_id, team_id__in=mine).exists()


def _leads_a_team_of(user: Any, other_id: int) -> bool:
    from .models import Membership

    led = Membership.objects.filter(user_id=user.pk, role=Membership.Role.LEAD).values("team_id")
    return Membership.objects.filter(user_id=other_id, team_id__in=led).exists()


def may_see_training_of(user: Any, other: Any) -> bool:
    """A clinician's training records: the clinician, members of a team they share, and clinic admins."""
    if not is_active_staff(user):
        return False
    return user.is_clinic_admin or user.pk == other.pk or _share_a_team(user, other.pk)


def may_add_training_for(user: Any, other: Any) -> bool:
    """Clinicians add (and correct) their own records; clinic admins anyone's."""
    return is_active_staff(user) and (user.is_clinic_admin or user.pk == other.pk)


def may_verify_training(user: Any, other: Any) -> bool:
    """Verify a clinician's training: a lead of a team the clinician belongs to, or a clinic admin; never
    one's own (a lead's record is verified by another lead of their team, or an admin)."""
    if not is_active_staff(user) or user.pk == other.pk:
        return False
    return user.is_clinic_admin or _leads_a_team_of(user, other.pk)


def may_log_supervision(user: Any, supervisor: Any, supervisees: Any) -> bool:
    """Supervision is logged by its supervisor or one of its supervisees, or by a clinic admin."""
    if not is_active_staff(user):
        return False
    return (
        user.is_clinic_admin
        or user.pk == supervisor.pk
        or any(user.pk == supervisee.pk for supervisee in supervisees)
    )


def may_see_supervision(user: Any, session: Any) -> bool:
    """A supervision session's notes: its supervisor, its supervisees and leads of a supervisee's team,
    nobody else (a clinic admin neither, unless one of those: the admin keeps a session's when, length and
    people, never its notes)."""
    if not is_active_staff(user):
        return False
    if session.supervisor_id == user.pk:
        return True
    supervisee_ids = [supervisee.pk for supervisee in session.supervisees.all()]
    return user.pk in supervisee_ids or any(_leads_a_team_of(user, pk) for pk in supervisee_ids)


def supervision_visible(user: Any, sessions: QuerySet) -> QuerySet:
    """The sessions ``may_see_supervision`` allows, as a queryset (for lists)."""
    from .models import Membership

    if not is_active_staff(user):
        return sessions.none()
    led = Membership.objects.filter(user_id=user.pk, role=Membership.Role.LEAD).values("team_id")
    led_members = Membership.objects.filter(team_id__in=led).values("user_id")
    return sessions.filter(
        Q(supervisor_id=user.pk) | Q(supervisees=user.pk) | Q(supervisees__in=led_members)
    ).distinct()


def training_visible(user: Any, records: QuerySet) -> QuerySet:
    """The training records ``may_see_training_of`` allows, as a queryset (for lists)."""
    from .models import Membership

    if not is_active_staff(user):
        return records.none()
    if user.is_clinic_admin:
        return records.all()
    mine = Membership.objects.filter(user_id=user.pk).values("team_id")
    teammates = Membership.objects.filter(team_id__in=mine).values("user_id")
    return records.filter(Q(user_id=user.pk) | Q(user_id__in=teammates))


# --- directory and referrals ---


def may_manage_resources(user: Any) -> bool:
    """The community resource directory is entered, changed and re-verified by leads (of any team) and
    clinic admins; every member of staff reads it and refers from it."""
    from .models import Membership

    if not is_active_staff(user):
        return False
    return (
        bool(user.is_clinic_admin)
        or Membership.objects.filter(user_id=user.pk, role=Membership.Role.LEAD).exists()
    )
