"""The JSON API's token sign-in (settings REST_FRAMEWORK, first authentication class). Its own module:
DRF imports authentication classes while importing its views, which core/api.py itself imports."""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token sign-in without its sweep: knox reads every token of the user on every request to
    delete the expired ones, a query that grows with the user's tokens. Here a request looks at its own
    token only (an expired one is deleted and refused, as knox does); the others expire where they are
    and the beat's clean-up deletes them (``teams.sessions.sessions_clear_expired``)."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
