"""The app offers the composer its jargon."""


def test_the_app_offers_jargon_to_the_composer(live_app):
    """create_app calls register_plain_words (the meter then lists jargon, not just levels)."""
    assert "jargon_for_composer" in live_app.jinja_env.globals
