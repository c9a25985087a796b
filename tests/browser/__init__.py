"""Debian's Chromium driving live servers through Playwright."""
