"""The researcher's desk: pages only the preview serves, under ``/__digest/`` (never part of a build).

- ``/__digest/review``: ``digest review`` as a page, linking each article's preview page and its capture.
- ``/__digest/capture?file=captures/...``: a capture as plain text (never as a page: its scripts must not
  run on the preview's origin).
- ``/__digest/send``: the bookmarklet (GET: the page offering it) and its endpoint (POST).

The send endpoint takes the page a researcher is reading, posted by the bookmarklet from that page's own
origin, so it must answer cross-origin requests (CORS, with a preflight for the JSON body and the token
header, and Chromium's private-network preflight for a public page reaching 127.0.0.1). What keeps
other pages out:
- a secret token made once per digest (in the cache folder, never in the site), sent in the
  ``X-Digest-Token`` header and compared in constant time; without it nothing is written;
- the ``Origin`` header, which a page cannot forge, must be the origin of the URL sent: a page can send
  only itself;
- the ``Host`` header must be the preview's own address (a DNS-rebinding page cannot reach the desk);
- the desk answers only clients on this machine (``serve.Handler``), whatever address the preview is
  bound to: a client elsewhere can write any ``Host`` and ``Origin``;
- the body's size is limited and read only after the checks.
A page that steals the token (its scripts see what a bookmarklet does in it) can therefore send only
itself, the same as the researcher clicking the bookmarklet on it.
"""

from __future__ import annotations

import hmac
import html
import json
import os
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from generator.capture import MAX_CAPTURE_BYTES
from generator.config import SiteConfig, load_config
from generator.errors import DigestError

PREFIX = "/__digest/"
SEND_PATH = PREFIX + "send"
REVIEW_PATH = PREFIX + "review"
CAPTURE_PATH = PREFIX + "capture"
TOKEN_FILE = "send-token"
TOKEN_HEADER = "X-Digest-Token"
MAX_SEND_BYTES = MAX_CAPTURE_BYTES // 2  # the JSON wrapping of a page takes room too
LOOPBACK = ("127.0.0.1", "localhost", "::1")
NOT_FRAMED = (("Content-Security-Policy", "frame-ancestors 'none'"),)  # no clickjacking of the desk


@dataclass(frozen=True)
class Reply:
    status: HTTPStatus
    body: bytes
    kind: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def send_token(cfg: SiteConfig) -> str:
    """The digest's send token, made on first use (readable by its owner only)."""
    path = cfg.path("cache") / TOKEN_FILE
    try:
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 32:
            return token
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


@dataclass(frozen=True)
class Desk:
    """The desk of one running preview: the digest folder, and the origin and base path it is served at."""

    root: Path
    origin: str      # http://127.0.0.1:8000
    base_path: str   # / or /repo/

    def handles(self, path: str) -> bool:
        return urlsplit(path).path.startswith(PREFIX)

    def host_ok(self, host: str | None) -> bool:
        """The request is addressed to the preview itself (a page on another host name that resolves to
        127.0.0.1, as in DNS rebinding, is refused); ``localhost`` is the loopback's own name."""
        own = urlsplit(self.origin)
        if host == own.netloc:
            return True
        try:
            asked = urlsplit(f"//{host or ''}")
            port = asked.port
        except ValueError:  # "127.0.0.1:abc", "[::1"
            return False
        return own.hostname in LOOPBACK and asked.hostname in LOOPBACK and port == own.port

    def get(self, path: str, host: str | None) -> Reply:
        if not self.host_ok(host):
            return text_reply(HTTPStatus.FORBIDDEN, "the desk answers only at the preview's own address")
        parts = urlsplit(path)
        try:
            cfg = load_config(self.root)
        except DigestError as exc:
            return text_reply(HTTPStatus.SERVICE_UNAVAILABLE, broken_config(exc))
        if parts.path == REVIEW_PATH:
            return Reply(HTTPStatus.OK, self.review_page(cfg).encode(), headers=NOT_FRAMED)
        if parts.path == SEND_PATH:
            return Reply(HTTPStatus.OK, self.send_page(cfg).encode(), headers=NOT_FRAMED)
        if parts.path == CAPTURE_PATH:
            return self.capture(cfg, parse_qs(parts.query).get("file", [""])[0])
        return text_reply(HTTPStatus.NOT_FOUND, "no such page on the desk")

    # --- the bookmarklet's endpoint --------------------------------------------------------------------

    def preflight(self, path: str, headers: Any) -> Reply:
        """CORS preflight for the send endpoint: any http(s) page may ask; the POST is what is checked."""
        origin = headers.get("Origin", "")
        if urlsplit(path).path != SEND_PATH:
            return text_reply(HTTPStatus.NOT_FOUND, "no such endpoint")
        if not self.host_ok(headers.get("Host")) or not is_web_origin(origin):
            return text_reply(HTTPStatus.FORBIDDEN, "not allowed")
        allow = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                 ("Access-Control-Allow-Methods", "POST"),
                 ("Access-Control-Allow-Headers", f"Content-Type, {TOKEN_HEADER}"),
                 ("Access-Control-Max-Age", "600")]
        if headers.get("Access-Control-Request-Private-Network") == "true":
            allow.append(("Access-Control-Allow-Private-Network", "true"))
        return Reply(HTTPStatus.NO_CONTENT, b"", "text/plain; charset=utf-8", tuple(allow))

    def post(self, path: str, headers: Any, read: Any) -> Reply:
        """Save the posted page as a capture. ``read(n)`` reads the body; it is called only once the
        request passed every check that needs no body (with the token in a header: every check but the
        body's own).

        The bookmarklet posts JSON with ``fetch``; on a page whose security policy forbids that, it
        submits a form to a new tab instead (the token then comes in the body, after the size check)."""
        origin = headers.get("Origin", "")
        form = headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
        cors = (("Access-Control-Allow-Origin", origin), ("Vary", "Origin")) if is_web_origin(origin) else ()

        def refuse(status: HTTPStatus, message: str) -> Reply:
            if form:
                return Reply(status, desk_page("Not sent", f"<h1>Not sent</h1><p>digest refused the page: "
                                               f"{html.escape(message)}</p>", self.base_path).encode())
            return json_reply(status, {"error": message}, cors)

        if urlsplit(path).path != SEND_PATH:
            return refuse(HTTPStatus.NOT_FOUND, "no such endpoint")
        if not self.host_ok(headers.get("Host")):
            return refuse(HTTPStatus.FORBIDDEN, "wrong host")
        try:
            cfg = load_config(self.root)
        except DigestError as exc:
            return refuse(HTTPStatus.SERVICE_UNAVAILABLE, broken_config(exc))
        token = send_token(cfg)
        if not form and not same_secret(headers.get(TOKEN_HEADER, ""), token):
            return refuse(HTTPStatus.FORBIDDEN, "missing or wrong token: drag the bookmarklet from the preview again")
        if not is_web_origin(origin):
            return refuse(HTTPStatus.FORBIDDEN, "no page origin")
        length = headers.get("Content-Length", "")
        if not length.isdigit():
            return refuse(HTTPStatus.LENGTH_REQUIRED, "no Content-Length")
        if int(length) > MAX_SEND_BYTES:
            return refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"over {MAX_SEND_BYTES // 1_000_000} MB")
        try:
            sent = posted_fields(read(int(length)), form)
            url, page = sent["url"], sent["html"]
        except (ValueError, KeyError, TypeError):
            return refuse(HTTPStatus.BAD_REQUEST, "expected url and html")
        if form and not same_secret(sent.get("token", ""), token):
            return refuse(HTTPStatus.FORBIDDEN, "missing or wrong token: drag the bookmarklet from the preview again")
        if urlsplit(url).scheme not in ("http", "https") or web_origin(url) != origin:
            return refuse(HTTPStatus.FORBIDDEN, "a page may send only itself")
        from generator.ingest import display_path
        from generator.newcapture import save_capture

        try:
            saved = save_capture(cfg.path("captures"), url, page.encode("utf-8"), how="sent from the browser")
        except DigestError as exc:
            return refuse(HTTPStatus.BAD_REQUEST, str(exc))
        name = display_path(saved, cfg.root)
        if form:
            return Reply(HTTPStatus.CREATED, desk_page("Sent", f"<h1>Sent to digest</h1><p>Saved as <code>"
                                                       f"{html.escape(name)}</code>; the article appears in the "
                                                       "preview in a moment. You can close this tab.</p>",
                                                       self.base_path).encode(), headers=NOT_FRAMED)
        return json_reply(HTTPStatus.CREATED, {"saved": name}, cors)

    # --- pages -------------------------------------------------------------------------------------------

    def review_page(self, cfg: SiteConfig) -> str:
        # The cleaner and the research tools load only when the page is asked for, not with the server.
        from generator.ingest import display_path
        from generator.model import article_slug
        from generator.review import review

        items = []
        for item in review(cfg):
            article = item.article
            link = f"{self.base_path}articles/{quote(article_slug(article, item.path))}/"
            capture = article.provenance.capture
            capture_link = (f' · <a href="{CAPTURE_PATH}?file={quote(capture)}">capture</a>' if capture else "")
            reasons = "".join(f"<li>{html.escape(r.text)}</li>" for r in item.reasons)
            items.append(f'<li><a href="{html.escape(link)}">{html.escape(article.title)}</a>{capture_link}'
                         f"<br><code>{html.escape(display_path(item.path, cfg.root))}</code><ul>{reasons}</ul></li>")
        listing = f"<ol>{''.join(items)}</ol>" if items else "<p>Nothing to review.</p>"
        return desk_page("Review", f"""<h1>Articles to check ({len(items)})</h1>
<p>Most doubtful first. Open the file, fix what is wrong, or add <code>reviewed: true</code> to its front
matter: either way it leaves this list, and ingest will not overwrite it.</p>{listing}""", self.base_path)

    def send_page(self, cfg: SiteConfig) -> str:
        script = bookmarklet(self.origin, send_token(cfg))
        return desk_page("Send to digest", f"""<h1>Send to digest</h1>
<p>Drag this link to your browser's bookmarks bar:
<a id="bookmarklet" href="{html.escape(script)}">Send to digest</a></p>
<p>Or copy it: right-click the link, "Copy link address", and paste it as the address of a new bookmark.</p>
<p>Then, while <code>digest serve</code> runs, click the bookmark on any article you are reading: the
page as you see it (or only the text you selected) becomes a capture in <code>captures/</code> and
appears in this preview a moment later.</p>
<p>The bookmark holds this digest's secret key: do not share it. Deleting the cache folder makes a new
key; drag the bookmark again then. On sites whose security policy forbids connections to other
addresses, the bookmark sends the page through a new tab instead; where even that is forbidden, use
<code>digest add URL</code>.</p>""", self.base_path)

    def capture(self, cfg: SiteConfig, name: str) -> Reply:
        folder = cfg.path("captures")
        try:
            path = (cfg.root / name).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return text_reply(HTTPStatus.NOT_FOUND, "no such capture")
        if not path.is_relative_to(folder) or not path.is_file():
            return text_reply(HTTPStatus.NOT_FOUND, "no such capture")
        # Plain text in a sandbox: a saved page's scripts must never run on the preview's origin.
        return Reply(HTTPStatus.OK, path.read_bytes(), "text/plain; charset=utf-8",
                     (("Content-Security-Policy", "sandbox"),))


def bookmarklet(origin: str, token: str) -> str:
    """The ``javascript:`` URL: posts the page (or the selection) to the preview and says what happened."""
    code = """(() => {
const sel = getSelection(); let html;
if (sel && !sel.isCollapsed) {
  const box = document.createElement("div");
  for (let i = 0; i < sel.rangeCount; i++) box.appendChild(sel.getRangeAt(i).cloneContents());
  const t = document.createElement("title"); t.textContent = document.title;
  html = "<!DOCTYPE html><html><head><meta charset=utf-8>" + t.outerHTML + "</head><body><article>"
    + box.innerHTML + "</article></body></html>";
} else {
  html = "<!DOCTYPE html>" + document.documentElement.outerHTML;
}
const viaForm = () => {
  const form = document.createElement("form");
  form.method = "POST"; form.action = ORIGIN + "SEND"; form.target = "_blank";
  for (const [name, value] of [["token", TOKEN], ["url", location.href], ["html", html]]) {
    const field = document.createElement("input");
    field.type = "hidden"; field.name = name; field.value = value; form.appendChild(field);
  }
  document.body.appendChild(form); form.submit(); form.remove();
};
fetch(ORIGIN + "SEND", {method: "POST", headers: {"Content-Type": "application/json", "HEADER": TOKEN},
  body: JSON.stringify({url: location.href, html: html})})
  .then((r) => r.json().then((d) => alert(r.ok ? "Sent to digest: " + d.saved : "digest refused: " + d.error)),
        viaForm);
})();"""
    code = (code.replace("ORIGIN", json.dumps(origin)).replace("SEND", SEND_PATH)
            .replace("HEADER", TOKEN_HEADER).replace("TOKEN", json.dumps(token)))
    return "javascript:" + quote(" ".join(line.strip() for line in code.splitlines()), safe="(){}[]=;:,.!'\"/+<>&|?")


def same_secret(given: str, token: str) -> bool:
    """Constant-time comparison: the time taken says nothing about how much of the token was right."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("ascii"))


def posted_fields(body: bytes, form: bool) -> dict[str, str]:
    """The posted JSON object, or the form's fields (one value each). A lone surrogate (JSON.stringify
    writes one for a broken character in the page) becomes ``?``: it has no UTF-8 to be saved as."""
    if form:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=10)
        return {key: values[0] for key, values in fields.items()}
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return {key: str(value).encode("utf-8", "replace").decode("utf-8") for key, value in data.items()}


def is_web_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path


def web_origin(url: str) -> str:
    """The origin a browser names for a page at ``url`` (no user info, no default port)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def broken_config(error: DigestError) -> str:
    return f"{error} (the desk works again once site.yaml loads)"


def text_reply(status: HTTPStatus, message: str) -> Reply:
    return Reply(status, message.encode(), "text/plain; charset=utf-8")


def json_reply(status: HTTPStatus, data: object, headers: tuple[tuple[str, str], ...]) -> Reply:
    return Reply(status, json.dumps(data).encode(), "application/json", headers)


def desk_page(title: str, body: str, base_path: str) -> str:
    nav = (f'<nav><a href="{html.escape(base_path)}">Site</a> · <a href="{REVIEW_PATH}">Review</a> · '
           f'<a href="{SEND_PATH}">Send to digest</a></nav>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · digest preview</title>'
            '<meta name="viewport" content="width=device-width,initial-scale=1"><style>'
            "body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
            "li{margin:.6rem 0}code{font-size:.9em}</style></head>"
            f"<body>{nav}<main>{body}</main></body></html>")
