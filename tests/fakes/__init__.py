"""Local fakes of the providers' HTTP APIs: real HTTP servers on 127.0.0.1, reached through the providers'
official clients exactly as production reaches the providers.

Each fake is a context manager (``with NotifyFake() as fake:``) serving on a random port of its own:

- ``fake.url``: its base URL, for the backend's setting (``NOTIFY_BASE_URL``, ``TWILIO_BASE_URL``,
  ``POSTMARK_API_URL``); ``fake.settings()`` gives every setting the backend needs, names as in
  ``rehabcare/settings/base.py`` (for ``settings.configure``-style overrides or a worker's environment).
- ``fake.messages``: what it accepted, in order (dicts: ``id``, ``to``, ``body``, ``reference``, ``status``
  and the provider's own fields); it checks credentials as the real API does (Notify's JWT signed with the
  key's secret, Twilio's basic auth, Postmark's ``X-Postmark-Server-Token``) and answers 401/403 otherwise.
- ``fake.fail(status, times=1)``: the next ``times`` sends are answered with ``status`` and the body the
  real API sends for it (``fake.PERMANENT`` is that provider's "can never receive" answer, e.g. 400 for
  Notify, 400/21211 for Twilio, 422/406 for Postmark; 429 a rate limit; 500 a server error).
- ``fake.stall(seconds, after_accepting=False, times=1)``: the next sends wait ``seconds`` (past the
  client's timeout) before answering; with ``after_accepting`` the message is recorded first ("accepted
  but the answer never came"). ``close()`` releases any stalled answer.
- ``fake.set_status(provider_id, status, **fields)``: a message's delivery state in the provider's words
  (Notify "delivered"/"permanent-failure"/..., Twilio "delivered"/"undelivered" with ``error_code``,
  Postmark "Delivered"/"Bounced"), read by status polling.
- ``fake.requests``: every request it received (method, path), for tests that count lookups.

``tests/fakes/smtp.py`` is a minimal SMTP server for the SMTP path (``rcpt_reply`` refuses a recipient);
``tests/fakes/configure.py`` points the backends at a fake (``provider_settings`` on pytest-django's
``settings``, ``provider_env`` for a worker).

Cross-process use (a Celery worker in a subprocess): the fake runs in the test process; pass
``fake.settings()`` as the worker's environment.
"""

from .notify import NotifyFake
from .postmark import PostmarkFake
from .twilio import TwilioFake

__all__ = ["NotifyFake", "PostmarkFake", "TwilioFake"]
