"""Print what one new update costs a family's phone on a long stay and on a short one.

Run by hand:  .venv/bin/python bench/feed_weight.py [--app-dir DIR]

In a scratch SQLite database: a child with 100 updates and one with 5, each update with its
Spanish and Arabic translation (as an interpreter keeps up on a long stay), and a family
member of each child reading English, Spanish and Arabic. Then one more update is posted to
each child and each reader's page asks for it as the page does (its version and language in
the events URL). Prints, per child and reader, the events answer's bytes (raw and gzipped)
and the first load's HTML; the targets (issue 17) beside them:
- events answer for one new update, English, 100 updates: <= 5 KB raw;
- each language: the 100-update answer no more than 1 KB above the 5-update answer;
- the family page's first load: <= 30 KB of HTML.
With --app-dir an older checkout is measured the same way (its answer is the whole feed).
"""

import argparse
import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--app-dir", type=Path, default=Path(__file__).resolve().parent.parent)
ARGS = parser.parse_args()
sys.path.insert(0, str(ARGS.app_dir))

from flask_migrate import upgrade  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.extensions import db  # noqa: E402
from rounds.models import Update, User  # noqa: E402
from rounds.services.translations import TranslationFields, add_translation  # noqa: E402

try:
    from tests.support.factories import Factory
except ImportError:  # a checkout from before tests/ was arranged by need
    from tests.factories import Factory

READERS = ("en", "es", "ar")
PLAN = (
    "Keep the ECMO flow steady and let his lungs rest. Check his blood gases every four hours "
    "and turn him gently every two hours to protect his skin."
)


def post_day(make, clinician, child, day: int) -> int:
    return make.post(
        clinician,
        child,
        f"Day {day}: a steady night. His heart rate and blood pressure stayed in the range "
        "we want, and he needed no extra medicine for pain.",
        plan=PLAN,
        milestones=f"ECMO day {day}",
    )


def translate_all(app, interpreter, update_id: int) -> None:
    with app.app_context():
        for code, summary in (
            ("es", "Una noche tranquila. Su corazón y su presión se mantuvieron estables."),
            ("ar", "ليلة هادئة. بقي قلبه وضغط دمه مستقرين."),
        ):
            add_translation(
                db.session.get(User, interpreter.id),
                db.session.get(Update, update_id),
                code,
                TranslationFields(summary=summary, plan="…"),
            )


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post(
        "/signin", data={"email": email, "password": Factory.PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, email
    return client


def page_of(client, child: int) -> tuple[str, dict]:
    """The first load's HTML, and what its script sends with every ask for events."""
    html = client.get(f"/family/children/{child}").get_data(as_text=True)
    said = {"lang": "en"}
    for name, attribute in (("v", "data-version"), ("lang", "data-language")):
        found = re.search(rf'{attribute}="([^"]*)"', html)
        if found:
            said[name] = found.group(1)
    return html, said


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
        make = Factory(app)
        unit = make.unit("Pediatric ICU (bench)")
        clinician = make.person("clinician", (unit,))
        interpreter = make.person("interpreter", (unit,))
        children = {"100 updates": make.patient(unit), "5 updates": make.patient(unit)}
        readers = {}
        for label, child in children.items():
            for code in READERS:
                person = make.person()
                make.grant(person, child)
                if code != "en":
                    make.speaks(person, code)
                readers[(label, code)] = person
        for label, child in children.items():
            for day in range(1, int(label.split()[0]) + 1):
                translate_all(app, interpreter, post_day(make, clinician, child, day))
        pages = {}
        for (label, code), person in readers.items():
            client = signed_in(app, person.email)
            html, said = page_of(client, children[label])
            pages[(label, code)] = (client, html, said)
        for child in children.values():
            post_day(make, clinician, child, 1000)  # the new update, not yet translated
        print(f"{'child':<12} {'reader':<6} {'answer raw':>10} {'gzip':>6} {'first load':>10}")
        sizes = {}
        for (label, code), (client, html, said) in pages.items():
            seq = int(re.search(r'data-last-seq="(\d+)"', html).group(1))
            answer = client.get(
                f"/family/children/{children[label]}/events.json",
                query_string={"after": seq, **said},
            )
            raw = answer.get_data()
            body = json.loads(raw)
            assert body["events"], (label, code, body)
            sizes[(label, code)] = len(raw)
            print(
                f"{label:<12} {code:<6} {len(raw):>10} {len(gzip.compress(raw)):>6} "
                f"{len(html.encode()):>10}   {'patches' if 'cards' in body else 'whole feed'}"
            )
        print()
        english = sizes[("100 updates", "en")]
        print(f"English, 100 updates: {english} bytes (target <= 5120: {english <= 5120})")
        for code in READERS:
            more = sizes[("100 updates", code)] - sizes[("5 updates", code)]
            print(f"{code}: 100 updates answer {more:+d} bytes against 5 (target <= 1024)")
        loads = [len(html.encode()) for _client, html, _said in pages.values()]
        print(f"largest first load: {max(loads)} bytes (target <= 30720: {max(loads) <= 30720})")
        # The staff child page follows the same rule: its live check is numbers only, and
        # "Show the newest history" brings the page with its first 10 threads.
        desk = signed_in(app, clinician.email)
        for label, child in children.items():
            page = desk.get(f"/staff/patients/{child}").get_data()
            seq = int(re.search(rb'data-last-seq="(\d+)"', page).group(1))
            check = desk.get(f"/staff/patients/{child}/events.json?after={seq - 1}").get_data()
            print(
                f"staff, {label}: child page (the newest history) {len(page)} bytes, "
                f"the check for one new event {len(check)} bytes"
            )


if __name__ == "__main__":
    main()
