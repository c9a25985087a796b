"""The app on SQLite and PostgreSQL, through Flask's test client and Flask-SocketIO's."""
