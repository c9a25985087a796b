"""Invitations as a nurse makes them and a family member uses them, through the test client."""

import re

from tests.support.client import csrf_from

LINK = re.compile(r'href="https?://[^/"]+(/join/[^"]+)"')
CODE = re.compile(r'invitation-card__code"[^>]*>([A-Z0-9-]+)<')
PASSPHRASE = "blue river morning"


def invite(client, child, name="Ana Lima", relationship="Grandparent", **more):
    """Make an invitation through the access panel; returns (card page, link path, code)."""
    panel = client.get(f"/staff/patients/{child}/family")
    assert panel.status_code == 200
    data = {
        "invitee_name": name,
        "invitee_relationship": relationship,
        "invitee_language": "en",
        "csrf_token": csrf_from(panel.get_data(as_text=True)),
        **more,
    }
    card = client.post(f"/staff/patients/{child}/family/invitations", data=data)
    assert card.status_code == 200, card.get_data(as_text=True)[:2000]
    html = card.get_data(as_text=True)
    return html, LINK.search(html).group(1), CODE.search(html).group(1)


def join_as_new(phone, email="ana.lima@example.org", **changes):
    """Fill in the welcome page as a new family member; returns the response."""
    page = phone.get("/join/")
    assert page.status_code == 200, page.status_code
    data = {
        "name": "Ana Lima",
        "email": email,
        "passphrase": PASSPHRASE,
        "passphrase_again": PASSPHRASE,
        "language": "en",
        "consent": "y",
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        **changes,
    }
    return phone.post("/join/", data=data)
