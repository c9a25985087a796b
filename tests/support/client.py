"""Flask test clients as a person uses them: signing in through the real form, and sending
forms with the session's CSRF token."""

import re

from tests.support.factories import Factory

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def without_csrf_tokens(html: str) -> str:
    """The page with its forms' CSRF tokens blanked: a token is signed with the second it was
    made, so two renders of one page a second apart differ there and nowhere else."""
    return CSRF_RE.sub('name="csrf_token" value=""', html)


def sign_in(client, email: str, password: str = Factory.PASSWORD):
    """Sign in through the real form; returns the response."""
    page = client.get("/signin")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"sign-in failed for {email}"
    return response


def signed_in(app, email: str):
    """A new test client of ``app``, signed in as ``email``."""
    client = app.test_client()
    sign_in(client, email)
    return client


def session_csrf(client) -> str:
    """This session's CSRF token (one per session, valid for every form)."""
    return csrf_from(client.get("/signin").get_data(as_text=True))


def post_form(client, url: str, data: dict):
    """POST ``data`` as a form would, with this session's CSRF token."""
    return client.post(url, data={**data, "csrf_token": session_csrf(client)})


FEED_RE = re.compile(r'<div id="feed"(.*?)>', re.S)


def page_said(client, child_id: int) -> dict:
    """What a family member's page of this child sends with every ask for events (its
    version and language), read from the page as its script reads it."""
    html = client.get(f"/family/children/{child_id}").get_data(as_text=True)
    attributes = FEED_RE.search(html).group(1)
    return {
        "v": re.search(r'data-version="([^"]*)"', attributes).group(1),
        "lang": re.search(r'data-language="([^"]*)"', attributes).group(1),
    }


def events_as_page(client, child_id: int, after: int):
    """The events answer as a current page of this person asks for it (so it may patch)."""
    said = page_said(client, child_id)
    url = f"/family/children/{child_id}/events.json"
    return client.get(url, query_string={"after": after, **said})


def feed_html(body: dict) -> str:
    """What an events answer shows: the whole feed, or its patched cards."""
    if "html" in body:
        return body["html"]
    return "".join(card["html"] for card in body.get("cards", ()))
