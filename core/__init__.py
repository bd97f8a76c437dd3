"""What every app builds on and no app owns: the queue, the API's and FHIR's shared parts, middleware,
database helpers, error pages, the client's address, the lockout handler and the safe CSV writer.
Imports nothing of ours."""
