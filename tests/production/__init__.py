"""Production mode for real: gunicorn processes, nginx, private Redis and PostgreSQL."""
