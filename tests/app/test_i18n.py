"""Each family member reads Rounds in their own language; staff screens stay English."""

import json
import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from rounds import timefmt
from tests.support.catalog import tr
from tests.support.client import (
    csrf_from,
    events_as_page,
    feed_html,
    post_form,
    sign_in,
    without_csrf_tokens,
)


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def family_reading(client, make, world, code):
    parent = world.parent_a1
    make.speaks(parent, code)
    sign_in(client, parent.email)
    return client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "locale", "direction"),
    [("es", "es", "ltr"), ("ht", "ht", "ltr"), ("pt-BR", "pt_BR", "ltr"), ("ar", "ar", "rtl")],
)
def test_a_family_member_reads_the_child_page_in_their_language(
    client, make, world, code, locale, direction
):
    page = family_reading(client, make, world, code)
    assert html_tag(page) == f'<html lang="{code}" dir="{direction}">'
    assert tr(locale, "Latest update") in page
    assert tr(locale, "Serious but stable") in page  # the status word of the update
    assert "Latest update" not in page
    # The update itself is the team's words, as written (no interpreter has translated it).
    assert "Child A1 slept well." in page


def test_english_is_the_default_and_staff_screens_stay_english(client, make, world):
    make.speaks(world.nurse, "ar")
    sign_in(client, world.nurse.email)
    page = client.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert "Serious but stable" in page


def test_signed_out_pages_follow_the_browser_then_the_readers_choice(client):
    page = client.get("/signin", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert html_tag(page.get_data(as_text=True)) == '<html lang="es" dir="ltr">'
    assert tr("es", "Sign in to Rounds") in page.get_data(as_text=True)

    chose = client.get("/language/ar?next=/signin")
    assert chose.status_code == 302 and chose.headers["Location"] == "/signin"
    cookie = chose.headers["Set-Cookie"]
    assert "rounds_lang=ar" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/signin", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert tr("ar", "Sign in to Rounds") in page


def test_the_language_link_refuses_other_sites_and_unknown_languages(client):
    away = client.get("/language/es?next=https://evil.example.org/")
    assert away.headers["Location"] == "/signin"
    unknown = client.get("/language/xx?next=/signin")
    assert "rounds_lang" not in unknown.headers.get("Set-Cookie", "")
    page = client.get("/signin").get_data(as_text=True)
    assert html_tag(page) == '<html lang="es" dir="ltr">'  # the choice stands; the site not


def test_the_sign_in_page_offers_every_language_named_in_itself(client):
    page = client.get("/signin").get_data(as_text=True)
    for code, name in [("es", "Español"), ("ht", "Kreyòl ayisyen"), ("ar", "العربية")]:
        assert f'lang="{code}" hreflang="{code}"' in page and name in page


def test_a_family_member_changes_their_language_in_settings(client, make, world):
    parent = world.parent_a1
    sign_in(client, parent.email)
    settings = client.get("/family/settings")
    assert settings.status_code == 200
    saved = post_form(client, "/family/settings", {"language": "ht"})
    assert saved.status_code == 302
    page = client.get("/family/settings").get_data(as_text=True)
    assert html_tag(page) == '<html lang="ht" dir="ltr">'
    assert tr("ht", "Your language") in page
    child = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert tr("ht", "Latest update") in child


def test_settings_refuse_a_language_rounds_does_not_speak(client, make, world):
    sign_in(client, world.parent_a1.email)
    refused = post_form(client, "/family/settings", {"language": "xx"})
    assert refused.status_code == 400
    assert 'class="field__error"' in refused.get_data(as_text=True)


def test_staff_have_no_family_settings(client, world):
    sign_in(client, world.nurse.email)
    assert client.get("/family/settings").status_code == 404


def test_a_missing_page_speaks_the_readers_language(client, make, world):
    page = family_reading(client, make, world, "es")
    assert page  # signed in, Spanish
    missing = client.get("/family/children/999999")
    forbidden = client.get(f"/family/children/{world.child_b1}")
    assert missing.status_code == forbidden.status_code == 404
    shown = [without_csrf_tokens(r.get_data(as_text=True)) for r in (missing, forbidden)]
    assert shown[0] == shown[1]
    assert tr("es", "Page not found") in missing.get_data(as_text=True)


def test_the_live_feed_announces_in_the_readers_language(client, make, world):
    family_reading(client, make, world, "pt-BR")
    make.post(world.clinician, world.child_a1, "A second update.")
    body = events_as_page(client, world.child_a1, after=1).get_json()
    assert body["events"][-1]["message"] == tr("pt_BR", "A new update from the care team.")
    # The update it displaced is now an earlier one, folded, in the reader's words.
    assert tr("pt_BR", "Read the full update") in feed_html(body)


def test_scripts_get_their_words_and_plural_rules_from_the_catalog(client, make, world):
    page = family_reading(client, make, world, "ar")
    words = json.loads(
        re.search(r'<script type="application/json" id="rounds-words">(.*?)</script>', page).group(
            1
        )
    )
    assert words["lang"] == "ar" and words["intl"] == "ar-u-nu-latn"
    assert words["plurals"] == ["zero", "one", "two", "few", "many", "other"]
    assert words["words"]["Connecting…"] == tr("ar", "Connecting…")
    assert len(words["words"]["%(num)s minute ago"]) == 6
    # Only the scripts' words: not the whole catalog on every page.
    assert "Latest update" not in words["words"]


def test_times_read_in_the_readers_language():
    now = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # a Monday
    morning = datetime(2026, 11, 16, 13, 10, tzinfo=UTC)  # 8:10 in New York
    last_week = datetime(2026, 11, 9, 13, 10, tzinfo=UTC)
    from rounds import create_app

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        for locale in ("es", "ht", "pt_BR", "ar"):
            with force_locale(locale):
                assert timefmt.day_and_clock(morning, "America/New_York", now) == tr(
                    locale, "%(time)s today", time="8:10"
                )
                assert timefmt.day_and_clock(last_week, "America/New_York", now) == tr(
                    locale,
                    "%(time)s on %(weekday)s %(day)s %(month)s",
                    time="8:10",
                    weekday=tr(locale, "Monday"),
                    day=9,
                    month=tr(locale, "November"),
                )
        with force_locale("ar"):
            # Arabic's dual: "two minutes" is its own word, not "2 minutes".
            assert timefmt.ago(now.replace(minute=0), now.replace(minute=2)) != timefmt.ago(
                now.replace(minute=0), now.replace(minute=3)
            ).replace("3", "2")


def test_the_invitation_card_is_in_the_invited_relatives_language(client, world):
    sign_in(client, world.nurse.email)
    panel = client.get(f"/staff/patients/{world.child_a1}/family").get_data(as_text=True)
    card = client.post(
        f"/staff/patients/{world.child_a1}/family/invitations",
        data={
            "invitee_name": "Rose Example",
            "invitee_relationship": "Grandparent",
            "invitee_language": "ht",
            "csrf_token": csrf_from(panel),
        },
    ).get_data(as_text=True)
    assert html_tag(card) == '<html lang="en" dir="ltr">'  # the nurse's page
    assert '<div lang="ht" dir="ltr">' in card
    assert tr("ht", "Grandparent") in card
    assert "Scan the code" not in card


def test_a_relative_joins_in_the_language_the_nurse_chose(app, client, world):
    from tests.support.invitations import invite, join_as_new

    sign_in(client, world.nurse.email)
    _, link, _ = invite(client, world.child_a1, name="Rose Example", invitee_language="ht")
    phone = app.test_client()
    welcome = phone.get(link, follow_redirects=True).get_data(as_text=True)
    assert html_tag(welcome) == '<html lang="ht" dir="ltr">'
    assert re.search(
        r'<option[^>]*selected[^>]*value="ht"|<option[^>]*value="ht"[^>]*selected', welcome
    )
    joined = join_as_new(phone, email="rose.example@example.org", language="ht")
    assert joined.status_code == 302
    child = phone.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert html_tag(child) == '<html lang="ht" dir="ltr">'
    assert tr("ht", "Latest update") in child


def test_the_relatives_own_choice_on_the_page_beats_the_invitations(app, client, world):
    from tests.support.invitations import invite

    sign_in(client, world.nurse.email)
    _, link, _ = invite(client, world.child_a1, name="Rose Example", invitee_language="ht")
    phone = app.test_client()
    phone.get(link)
    phone.get("/language/es?next=/join/")
    welcome = phone.get("/join/").get_data(as_text=True)
    assert html_tag(welcome) == '<html lang="es" dir="ltr">'


def test_staff_see_each_family_members_language_beside_their_name(client, make, world):
    make.speaks(world.parent_a1, "ht")
    sign_in(client, world.nurse.email)
    page = client.get(f"/staff/patients/{world.child_a1}/family").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td>[^<]*" + world.parent_a1.name + r".*?</tr>", page, re.S).group(0)
    assert "Haitian Creole" in row
