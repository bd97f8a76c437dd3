"""The drills' email: the development outbox, each message taking a while, as a real mail server does.

A slow send leaves time to kill a worker while it is halfway through a batch of reminders.
"""

import time
from collections.abc import Sequence

from django.core.mail.message import EmailMessage

from checkins.backends import OutboxEmailBackend

SECONDS_PER_MESSAGE = 0.1


class SlowOutboxEmailBackend(OutboxEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(SECONDS_PER_MESSAGE * len(email_messages))
        return super().send_messages(email_messages)
