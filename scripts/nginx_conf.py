"""Write an nginx configuration for Rounds from the sample in deploy/nginx/rounds.conf.

Fills in the sample's words and writes, in PREFIX, ``rounds.conf`` (the site, as a hospital
would drop into conf.d/) and ``nginx.conf`` (a whole configuration that runs unprivileged
from PREFIX, for one machine). scripts/production.sh and the tests both use it.

    python scripts/nginx_conf.py PREFIX --listen 127.0.0.1:8443 --http-listen 127.0.0.1:8080 \\
        --server-name 127.0.0.1 --certificate C --certificate-key K --upstream 8001 --upstream 8002

The access log goes to PREFIX/logs/access.log unless ``--access-log PATH`` says where.
"""

import argparse
import re
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "rounds.conf"


def render_site(
    listen: str,
    http_listen: str,
    server_name: str,
    certificate: str,
    certificate_key: str,
    upstream_ports: list[int],
    access_log: str,
) -> str:
    """The sample with its words filled in; refuses to leave one unfilled."""
    upstreams = "\n    ".join(
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in upstream_ports
    )
    words = {
        "@LISTEN@": listen,
        "@HTTP_LISTEN@": http_listen,
        "@SERVER_NAME@": server_name,
        "@CERTIFICATE@": certificate,
        "@CERTIFICATE_KEY@": certificate_key,
        "@UPSTREAMS@": upstreams,
        "@HTTPS_PORT@": listen.rsplit(":", 1)[-1],
        "@ACCESS_LOG@": access_log,
    }
    text = SAMPLE.read_text()
    for word, value in words.items():
        text = text.replace(word, value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise SystemExit(f"unfilled in the nginx sample: {left}")
    return text


def render_main(prefix: Path) -> str:
    """A whole nginx.conf that keeps its pid, logs and temporary files under ``prefix``."""
    temp = prefix / "temp"
    # Each proxied websocket holds two connections (browser side and app side), and Debian's
    # stock nginx.conf allows 768: raise both limits, or nginx caps the families it serves.
    # Open websockets would hold a graceful stop forever: give them two seconds.
    return f"""worker_processes auto;
worker_rlimit_nofile 65536;
worker_shutdown_timeout 2s;
pid {prefix / "nginx.pid"};
error_log {prefix / "logs" / "error.log"} warn;
events {{ worker_connections 16384; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix / "rounds.conf"};
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefix", type=Path)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--http-listen", required=True)
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--certificate-key", required=True)
    parser.add_argument("--upstream", type=int, action="append", required=True)
    parser.add_argument("--access-log", help="default: PREFIX/logs/access.log")
    args = parser.parse_args()
    prefix = args.prefix.resolve()
    for folder in ("logs", "temp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    # nginx's workers may run as another user: they write proxy buffers here.
    (prefix / "temp").chmod(0o777)
    site = render_site(
        args.listen,
        args.http_listen,
        args.server_name,
        args.certificate,
        args.certificate_key,
        args.upstream,
        args.access_log or str(prefix / "logs" / "access.log"),
    )
    (prefix / "rounds.conf").write_text(site)
    (prefix / "nginx.conf").write_text(render_main(prefix))
    print(prefix / "nginx.conf")


if __name__ == "__main__":
    main()
