"""The Chinese UI is complete: the catalogue translates every message, the template of
messages (.pot) is current, and a walk through every page of the flow in 简体中文 finds no
English word outside user data (marked ``translate="no"``) and a short allowlist."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.db.engine import make_sessionmaker
from app.db.models import User
from app.services import tariffs
from app.web.i18n import HTML_LANG
from tests.conftest import ROOT, Clock, csrf, login
from tests.web.test_flow_pages import (
    FIT_ANSWERS,
    HX,
    NEWYORK,
    NEWYORK_CLIENT,
    as_form,
    create_proposal,
    job_url,
    options_form,
    poll,
    replace,
    upload,
)

POT = ROOT / "app" / "locale" / "messages.pot"
PO = ROOT / "app" / "locale" / "zh_Hans" / "LC_MESSAGES" / "messages.po"

ALLOWED = {
    # the product
    "Telroi",
    # telephony and finance abbreviations a Chinese rep uses as they are
    "SIP",
    "PBX",
    "PBXs",
    "DID",
    "DIDs",
    "NPV",
    "IRR",
    "ROI",
    "TCO",
    "PSTN",
    "PRI",
    # file formats, products and systems bills come from or integrate with
    "CSV",
    "TSV",
    "XLSX",
    "UTF",
    "Erlang",
    "Erlangs",
    "Asterisk",
    "FreeSWITCH",
    "Cisco",
    "CUCM",
    "CRM",
    "ISO",
    "ERP",
    "Teams",
    # currency codes (ISO 4217) as babel writes them
    "CNY",
    "USD",
    "EUR",
    # the language switch names English in English
    "English",
}
"""English words allowed on a Chinese page (3+ letters; 1–2 letter tokens such as the
Erlang unit ``E``, ``US$`` or ISO country codes are never flagged)."""

ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
USER_FACING_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


MSGIDS = {msgid(m.id) for m in catalog(POT) if m.id} - ALLOWED


# ------------------------------------------------------------------------------ catalogue


def test_every_message_has_a_chinese_translation() -> None:
    template = catalog(POT)
    chinese = catalog(PO, "zh_Hans")
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        translated = chinese.get(message.id)
        strings = () if translated is None else translated.string
        strings = (strings,) if isinstance(strings, str) else strings
        if not strings or not all(s.strip() for s in strings):
            missing.append(msgid(message.id))
        elif translated is not None and translated.fuzzy:
            fuzzy.append(msgid(message.id))  # fuzzy entries are not compiled: shown in English
    assert not missing, "untranslated:\n" + "\n".join(missing)
    assert not fuzzy, "fuzzy (not used):\n" + "\n".join(fuzzy)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def test_translations_keep_the_placeholders() -> None:
    """A translation has the message's ``%(name)s`` placeholders and ``%%`` escapes (Jinja
    formats every template message: a lost or extra one breaks the page or drops data)."""
    wrong = []
    for message in catalog(PO, "zh_Hans"):
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(msgid(message.id)))
        strings = (message.string,) if isinstance(message.string, str) else message.string
        wrong += [
            f"{msgid(message.id)!r} → {s!r}"
            for s in strings
            if s and sorted(PLACEHOLDER.findall(s)) != wanted
        ]
    assert not wrong, "\n".join(wrong)


def test_the_message_template_is_current() -> None:
    """Extract the strings now as ``make messages`` does (babel.cfg, keyword ``N_`` and the
    defaults) and compare with the .pot."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    extracted = {
        msgid(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
        if msgid(message)
    }
    in_pot = {msgid(m.id) for m in catalog(POT) if m.id}
    assert sorted(extracted - in_pot) == [], (
        "in the code but not in messages.pot (run make messages)"
    )
    assert sorted(in_pot - extracted) == [], "in messages.pot but no longer in the code"


# ------------------------------------------------------------------------------ the walk


class _VisibleText(HTMLParser):
    """The text a reader sees: no scripts or styles, no elements marked ``translate="no"``
    (nor anything inside them), no attribute values except the user-facing ones."""

    VOID: ClassVar[set[str]] = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.chunks: list[str] = []
        self.kept: list[str] = []  # the texts marked translate="no"

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = self.hidden or tag in ("script", "style") or a.get("translate") == "no"
        if not hidden:
            self.chunks.extend(a[k] or "" for k in USER_FACING_ATTRIBUTES if a.get(k))
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(data)
        elif not any(tag in ("script", "style") for tag, _ in self.stack):
            self.kept.append(data)


def visible_texts(html: str, *, kept: bool = False) -> Iterator[str]:
    """The visible texts of ``html`` (with ``kept``: the texts marked translate="no")."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    for chunk in parser.kept if kept else parser.chunks:
        yield " ".join(chunk.split())


def messages_kept_as_data(html: str) -> dict[str, list[str]]:
    """Texts marked translate="no" that are Telroi's own messages (a msgid of the
    catalogue, such as a default option's name): the app's words hidden as user data."""
    found: dict[str, list[str]] = {}
    for text in visible_texts(html, kept=True):
        if text.rstrip(":：").strip() in MSGIDS:
            found[text] = ['(marked translate="no")']
    return found


def english_words(html: str) -> dict[str, list[str]]:
    """The visible texts holding English words of 3+ letters outside the allowlist, each
    with those words."""
    found: dict[str, list[str]] = {}
    for text in visible_texts(html):
        for match in ENGLISH_WORD.finditer(text):
            word = match.group()
            parts = [p for p in re.split(r"[-'’]", word) if p]
            if len(word) < 3 or all(p in ALLOWED or len(p) < 3 for p in parts):
                continue
            words = found.setdefault(text, [])
            if word not in words:
                words.append(word)
    return found


CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def chinese_words(html: str) -> dict[str, list[str]]:
    """The visible texts holding Chinese (the language switch's own name aside)."""
    found: dict[str, list[str]] = {}
    for text in visible_texts(html):
        words = [w for w in CHINESE.findall(text) if w != "简体中文"]
        if words:
            found[text] = words
    return found


class Walk:
    """The pages visited in one language and the other language's words found on each."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.findings: dict[str, dict[str, list[str]]] = {}

    def check(self, page: str, response, status: int = 200) -> str:  # type: ignore[no-untyped-def]
        assert response.status_code == status, f"{page}: {response.status_code}"
        html: str = response.text
        if "<html" in html:
            lang = HTML_LANG[self.locale]
            assert f'<html lang="{lang}">' in html, f"{page} is not in {lang}"
        if self.locale == "zh_Hans":
            words = {**english_words(html), **messages_kept_as_data(html)}
        else:
            words = chinese_words(html)
        if words:
            self.findings[page] = words
        return html

    def report(self) -> str:
        return "\n".join(
            f"{page}:\n"
            + "\n".join(f"  “{text}” ({', '.join(words)})" for text, words in texts.items())
            for page, texts in self.findings.items()
        )


def _walk_setup_and_login(walk: Walk, client: TestClient, make_user) -> User:  # type: ignore[no-untyped-def]
    walk.check("setup (fresh database)", client.get("/setup"))
    walk.check(
        "setup (passwords differ)",
        client.post(
            "/setup",
            data={
                "email": "admin@example.com",
                "password": "p" * 12,
                "password_again": "q" * 12,
                "csrf_token": csrf(client),
            },
        ),
        422,
    )
    rep: User = make_user("rep")
    walk.check("login", client.get("/login"))
    walk.check(
        "login (wrong password)",
        client.post(
            "/login",
            data={"email": rep.email, "password": "wrong" * 3, "csrf_token": csrf(client)},
        ),
        401,
    )
    login(client, rep.email)
    # the rep's own choice, remembered on the user
    client.post("/language", data={"locale": walk.locale, "csrf_token": csrf(client)})
    return rep


def _walk_flow(walk: Walk, client: TestClient) -> str:
    walk.check("dashboard (empty)", client.get("/"))
    walk.check("client (new)", client.get("/proposals/new"))
    walk.check(
        "client (errors)",
        client.post(
            "/proposals",
            data={**NEWYORK_CLIENT, "country": "USA", "seats": "0", "csrf_token": csrf(client)},
        ),
        422,
    )
    pid = create_proposal(client)
    walk.check("client (edit)", client.get(f"/proposals/{pid}/client"))
    walk.check("bills", client.get(f"/proposals/{pid}/bills"))
    walk.check(
        "bills (no file)",
        client.post(f"/proposals/{pid}/bills", data={"csrf_token": csrf(client)}, headers=HX),
        422,
    )
    walk.check(
        "bills (figures refused)",
        client.post(f"/proposals/{pid}/figures", data={"csrf_token": csrf(client)}),
        422,
    )
    lines = NEWYORK.read_bytes().splitlines()
    broken = b"\n".join([b"\xef\xbb\xbf" + lines[0], b"\xff" + lines[1]])
    failed = poll(client, job_url(upload(client, pid, ("bad-bill.csv", broken)).text))
    walk.check("bills: job partial (bad file)", failed)
    headerless = b"\n".join([b"Tag,Uhrzeit,Richtung,Gegenstelle,Dauer,Betrag", *lines[1:]])
    started = upload(client, pid, ("export.csv", headerless))
    walk.check("bills: job partial (progress)", started)
    parked = poll(client, job_url(started.text))
    walk.check("bills: job partial (mapping)", parked)
    walk.check("bills (mapping pending)", client.get(f"/proposals/{pid}/bills"))
    mapped = client.post(
        job_url(parked.text) + "/mapping",
        data={"date": "1", "time": "2", "direction": "3", "number": "4", "duration": "5",
              "cost": "6", "save_as": "Berlin export", "csrf_token": csrf(client)},
        headers=HX,
    )  # fmt: skip
    assert poll(client, job_url(mapped.text)).headers.get("HX-Redirect")
    walk.check("usage", client.get(f"/proposals/{pid}/usage"))
    walk.check("options", client.get(f"/proposals/{pid}/options"))
    fields = replace(options_form(client, pid), **FIT_ANSWERS)
    walk.check(
        "options: results partial",
        client.post(
            f"/proposals/{pid}/compute",
            data=as_form(fields, csrf_token=csrf(client)),
            headers=HX,
        ),
    )
    bad = [(k, "999" if k == "horizon_months" else v) for k, v in fields]
    walk.check(
        "options: results partial (bad input)",
        client.post(
            f"/proposals/{pid}/compute", data=as_form(bad, csrf_token=csrf(client)), headers=HX
        ),
    )
    client.post(f"/proposals/{pid}/compute", data=as_form(fields, csrf_token=csrf(client)))
    saved = client.post(f"/proposals/{pid}/save", data={"csrf_token": csrf(client)})
    assert saved.status_code == 303
    walk.check("results", client.get(f"/proposals/{pid}/results"))
    walk.check("dashboard (a saved proposal)", client.get("/"))
    return pid


def _walk_sample(walk: Walk, client: TestClient) -> None:
    """The one-click sample: the Shanghai bill, Chinese tariffs, the old PBX's costs."""
    demo = client.post("/demo", data={"csrf_token": csrf(client)})
    assert demo.status_code == 303
    options = demo.headers["location"]
    walk.check("options (sample bill)", client.get(options))
    walk.check("usage (sample bill)", client.get(options.replace("/options", "/usage")))


def _walk_errors(walk: Walk, client: TestClient, pid: str) -> None:
    walk.check("error page (404)", client.get("/proposals/does-not-exist/options"), 404)
    walk.check("error page (403, CSRF)", client.post(f"/proposals/{pid}/save"), 403)


def _walk_admin(walk: Walk, app: FastAPI, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    make_user("manager", email="boss@example.com")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as browser:
        login(browser, admin.email)
        browser.post("/language", data={"locale": walk.locale, "csrf_token": csrf(browser)})
        walk.check("admin users", browser.get("/admin/users"))
        walk.check(
            "admin users (errors)",
            browser.post(
                "/admin/users",
                data={"email": "not-an-address", "password": "short", "role": "rep",
                      "csrf_token": csrf(browser)},
            ),
            422,
        )  # fmt: skip


def _walk_entered(walk: Walk, client: TestClient) -> None:
    pid = create_proposal(client, name="Entered Ltd")
    entered = client.post(
        f"/proposals/{pid}/figures",
        data={"outbound-local-calls": "900", "outbound-local-minutes": "2700",
              "inbound-mobile-calls": "300", "inbound-mobile-minutes": "600",
              "csrf_token": csrf(client)},
    )  # fmt: skip
    assert entered.status_code == 303
    walk.check("usage (entered figures)", client.get(f"/proposals/{pid}/usage"))
    walk.check("options (entered figures)", client.get(f"/proposals/{pid}/options"))


def walk_every_page(app: FastAPI, client: TestClient, make_user, clock: Clock, locale: str) -> Walk:  # type: ignore[no-untyped-def]
    """Every page of the flow in ``locale`` (on a fresh database with the shipped tariffs),
    visited once; the language is chosen on the switch before login (a cookie), then on
    the user."""
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()
    chosen = client.post("/language", data={"locale": locale, "csrf_token": csrf(client)})
    assert chosen.status_code == 303
    walk = Walk(locale)
    _walk_setup_and_login(walk, client, make_user)
    pid = _walk_flow(walk, client)
    _walk_sample(walk, client)
    _walk_entered(walk, client)
    _walk_errors(walk, client, pid)
    _walk_admin(walk, app, make_user)
    return walk


def test_every_page_in_chinese_has_no_english(
    app: FastAPI, client: TestClient, make_user, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    walk = walk_every_page(app, client, make_user, clock, "zh_Hans")
    assert len(walk.findings) == 0, "English on Chinese pages:\n" + walk.report()


def test_every_page_in_english_has_no_chinese(
    app: FastAPI, client: TestClient, make_user, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    walk = walk_every_page(app, client, make_user, clock, "en")
    assert len(walk.findings) == 0, "Chinese on English pages:\n" + walk.report()


def test_the_walk_finds_english_where_there_is_some() -> None:
    """The checker itself: English is found in text and labels, not in user data,
    scripts, attribute values or allowed names."""
    html = (
        '<html lang="zh-Hans"><head><script>var text = "Hello";</script></head><body>'
        '<p>节省 <span translate="no">Example Law LLP</span> NPV 与 IRR, 4 E</p>'
        '<div data-figure="{&quot;title&quot;: &quot;Cumulative cost&quot;}"></div>'
        '<input aria-label="Seats" value="Client"><p>Payback 回本</p></body></html>'
    )
    found = english_words(html)
    assert found == {"Seats": ["Seats"], "Payback 回本": ["Payback"]}
    # an app message marked as user data is found as well
    assert list(messages_kept_as_data('<h2 translate="no">Hosted PBX</h2>')) == ["Hosted PBX"]
    assert messages_kept_as_data('<h2 translate="no">Example Law LLP</h2>') == {}
