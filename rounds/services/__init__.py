"""The only code that writes.

Each service writes and audits in one transaction, commits, and only then publishes to
live connections, so a notification never announces something that was not saved.
"""
