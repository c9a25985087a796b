"""Response headers every page carries."""

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def register_security(app: Flask) -> None:
    """Add the security headers; never cache pages that hold a child's information."""

    @app.after_request
    def security_headers(response):
        headers = response.headers
        if app.config["CONTENT_SECURITY_POLICY"]:
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        # Same-origin only: no address ever leaks to another site, and over HTTPS Flask-WTF's
        # CSRF check needs the browser's Referer on our own forms ("no-referrer" broke them).
        headers.setdefault("Referrer-Policy", "same-origin")  # a view may ask for less
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if app.config.get("PROCESS_NAME"):
            headers["X-Rounds-Process"] = app.config["PROCESS_NAME"]
        if request.path.startswith("/static/"):
            # Let Flask-Compress gzip static files too (old phones, weak Wi-Fi), and keep
            # versioned ones (see templating.asset) for a year: their URL changes with them.
            response.direct_passthrough = False
            if request.args.get("v"):
                headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            headers["Cache-Control"] = "no-store"
        return response
