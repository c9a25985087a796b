"""Print the compressed weight of a family's first load of a child's page (demo data).

Run by hand:  .venv/bin/python bench/page_weight.py
Budget (issue #3): 60 KB compressed, all assets included.
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.demo_data import DEMO_PASSWORD  # noqa: E402

BUDGET = 60 * 1024


def main() -> None:
    """Seed the demo into a scratch database, sign in as a parent, weigh the page."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context():
            upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, (result.output, result.exception)
        client = app.test_client()
        page = client.get("/signin").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(
            "/signin",
            data={
                "email": "james.chen@example.org",
                "password": DEMO_PASSWORD,
                "csrf_token": token,
            },
        )
        home = client.get("/family/")
        child_url = home.headers["Location"]
        headers = {"Accept-Encoding": "gzip"}
        response = client.get(child_url, headers=headers)
        html = gzip.decompress(response.get_data()).decode()
        rows = [(child_url, len(response.get_data()), len(html.encode()))]
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            asset = asset.replace("&amp;", "&")
            got = client.get(asset, headers=headers)
            raw = client.get(asset).get_data()
            rows.append((asset.split("?")[0], len(got.get_data()), len(raw)))
        total = sum(r[1] for r in rows)
        print(f"{'resource':<40} {'gzip':>8} {'raw':>8}")
        for name, compressed, raw in rows:
            print(f"{name:<40} {compressed:>8} {raw:>8}")
        print(f"{'total':<40} {total:>8} {sum(r[2] for r in rows):>8}")
        verdict = "within" if total <= BUDGET else "OVER"
        print(f"budget {BUDGET} bytes: {verdict} ({total / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
