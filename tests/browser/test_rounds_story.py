"""The issue's rounds story on the embedded default, in Chromium with real sockets (the story
itself: tests/support/rounds_story.py; on production mode: tests/production)."""

import pytest

from tests.support.browser import DEADLINE
from tests.support.rounds_story import father_story

pytestmark = pytest.mark.browser


def test_a_father_far_away_follows_rounds_and_his_question_is_answered(
    browser, live_server, live_make
):
    contexts = []

    def open_page(_who, viewport, **options):
        contexts.append(browser.new_context(viewport=viewport, **options))
        return contexts[-1].new_page()

    try:
        father_story(live_make, live_server.url, open_page, DEADLINE, "rounds")
    finally:
        for context in contexts:
            context.close()
