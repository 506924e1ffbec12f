"""Persistence: the SQL database (SQLite or PostgreSQL), its migrations, and the artifact store."""
