"""How staff passwords are stored: Argon2id at OWASP's first recommended configuration.

OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB of memory, 2 iterations and
1 degree of parallelism. Django's own Argon2 defaults (100 MiB, parallelism 8) and its PBKDF2 default
(1,000,000 iterations) each cost about half a second of one core per sign-in on our 2-core reference
server: a Monday morning's hundred sign-ins within a minute then queue behind each other (BENCHMARKS.md,
"The busy hour"). At OWASP's parameters a check costs about 60 ms, and memory hardness, not CPU time,
is what resists a guessing attack on a stolen hash.

A password stored earlier with PBKDF2 still signs in (settings.PASSWORD_HASHERS keeps it second) and is
stored again with Argon2id at that sign-in, as Django does whenever the first hasher's settings differ.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    # Source: OWASP Password Storage Cheat Sheet, "Argon2id": m=19456 (19 MiB), t=2, p=1.
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
