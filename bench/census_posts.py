"""The posts of bench/census_cost.py: clinicians posting through the composer over HTTP, at a
steady pace, each post's status known in advance so the pages can be checked against it."""

import threading
import time

from census_pages import pump_until

# The status of post i: one per round over the children, so each child's row changes with
# every round ("comfort" is left out: it changes the row's "No update today" marker too).
STATUSES = ("critical", "serious", "improving", "ready")


def status_of(post: int, children: int) -> str:
    """The status the bench posts with post number ``post`` (warm-up included)."""
    return STATUSES[(post // children) % len(STATUSES)]


class Clinician:
    """The clinician who posts, over HTTP (requests), through the sign-in form and the composer.

    Not tests.support.live.HttpUser: production's session cookie is Secure, and requests
    keeps a Secure cookie off plain http:// (in production, nginx's TLS is in front), so this
    one sends its session cookie itself, and keeps the one each answer sets, as a browser does.
    """

    def __init__(self, base_url: str, email: str, child: int):
        import requests

        from tests.support.client import csrf_from
        from tests.support.factories import Factory

        self.base_url = base_url
        self.http = requests.Session()
        self.cookie = ""
        form = self.request("GET", "/signin").text
        fields = {"email": email, "password": Factory.PASSWORD, "csrf_token": csrf_from(form)}
        signed_in = self.request("POST", "/signin", data=fields)
        assert signed_in.status_code == 302, f"sign-in answered {signed_in.status_code}"
        # An open composer holds one token for all its posts (it does not expire).
        self.token = csrf_from(self.request("GET", f"/staff/patients/{child}").text)

    def request(self, method: str, path: str, **kwargs):
        """One request with the session cookie; redirects are not followed."""
        headers = {"Cookie": f"rounds_session={self.cookie}"} if self.cookie else {}
        response = self.http.request(
            method, self.base_url + path, headers=headers, allow_redirects=False, timeout=30,
            **kwargs,
        )  # fmt: skip
        self.cookie = response.cookies.get("rounds_session", self.cookie)
        return response

    def post(self, child: int, status: str, summary: str) -> float:
        """Post an update through the composer; returns how long the POST took, in ms."""
        form = {"status": status, "summary": summary, "action": "post", "csrf_token": self.token}
        started = time.perf_counter()
        response = self.request("POST", f"/staff/patients/{child}/updates", data=form)
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"post answered {response.status_code}: {response.text[:300]}")
        return took


def post_paced(traffic, clinicians: list[Clinician], children, first: int, count: int, rate):
    """Post ``count`` updates, post n due ``n / rate`` seconds after the start whatever the
    answers before it took (as posts from a unit's many clinicians arrive), each clinician
    in a thread of their own taking every len(clinicians)-th post, while the main thread
    pumps the pages' events. Returns each post's latency (ms) and the seconds from the first
    post sent to the last answered."""
    latencies, failed = [], []
    start = time.monotonic() + 0.05

    def poster(turn: int, clinician: Clinician) -> None:
        try:
            for n in range(turn, count, len(clinicians)):
                time.sleep(max(0.0, start + n / rate - time.monotonic()))
                post = first + n
                child = children[post % len(children)]
                status = status_of(post, len(children))
                latencies.append(clinician.post(child, status, f"Census bench post {post}."))
        except Exception as error:  # raised again in the main thread
            failed.append(error)

    threads = [
        threading.Thread(target=poster, args=(turn, clinician), daemon=True)
        for turn, clinician in enumerate(clinicians)
    ]
    for thread in threads:
        thread.start()
    done = lambda: not any(thread.is_alive() for thread in threads)  # noqa: E731
    pump_until(traffic, done, count / rate + 120, "the posts")
    if failed:
        raise failed[0]
    return latencies, time.monotonic() - start


def last_statuses(children: list[int], posts: int) -> dict[int, str]:
    """Each child's status after posts 0 .. posts-1 (children not yet posted to are left
    out: they show the data's last status)."""
    return {children[p % len(children)]: status_of(p, len(children)) for p in range(posts)}
