"""Tests that need no database server, no app process and no browser."""
