"""The fuzz suite finds the query parameters to send by reading the source: every way a view
can read one is found, and a read it cannot name is reported, never skipped."""

import textwrap

from tests.support.query_parameters import discover

VIEWS = """
from flask import request
from wtforms import Form, StringField

NAMES = ("first", "second")


class Filters(Form):
    kind = StringField()


def helper():
    return request.args.getlist("tags")


def view():
    request.args.get("plain"), request.values["both"], helper()
    kept = {name: request.args[name] for name in NAMES}
    return Filters(request.args), kept


def unread(helper):
    return helper  # an argument named like a function is not that function


def whole():
    return request.args.to_dict()
"""


def test_every_way_of_reading_the_query_string_is_found(tmp_path, monkeypatch):
    package, templates = tmp_path / "fakeapp", tmp_path / "templates"
    package.mkdir()
    templates.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text(textwrap.dedent(VIEWS))
    (templates / "page.html").write_text(
        "<a href=\"?page={{ request.args.get('page') }}\">\n{{ request.args|length }}"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    found = discover(package, templates)

    assert found.read_by("view") == {"plain", "both", "tags", "first", "second", "kind"}
    assert found.read_by("unread") == set()
    assert found.everywhere == {"page"}
    whole = textwrap.dedent(VIEWS).splitlines().index("    return request.args.to_dict()") + 1
    assert found.unnamed == [f"fakeapp/views.py:{whole}", "templates/page.html:2"]
