"""Settings modes: ``dev`` (default), ``test`` and ``production``; ``base`` holds what they share."""
