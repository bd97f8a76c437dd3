"""An SMS backend that hangs mid-send, for the test that kills a worker while it sends."""

import os
import time
from pathlib import Path


class BlockingSMSBackend:
    def send_messages(self, messages) -> int:
        Path(os.environ["BLOCKING_SMS_MARKER"]).write_text("sending")
        time.sleep(300)  # the test kills the worker during this
        return 0
