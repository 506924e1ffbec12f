"""Authentication, roles, rate limits, encryption and audit."""
