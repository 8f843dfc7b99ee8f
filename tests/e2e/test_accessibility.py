"""axe-core on every page of the app, in both colour schemes: zero violations.

axe-core is vendored for the tests only (tests/e2e/vendor/, MPL-2.0, see its README) and
injected by Playwright as an init script, which the pages' CSP does not apply to.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.clock import WIB
from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from app.notify.tokens import SurveyTokens
from tests.e2e.conftest import WAIT_MS, context_options
from tests.e2e.pwa import login, poll
from tests.integration.rounds_support import DESA, KEC, admin_client, create_round, day, post_form
from tests.support import (
    ADMIN,
    OFFICER,
    ServerProcess,
    application,
    client,
    new_key,
    officer_client,
)
from tests.support import post_application as post

pytestmark = pytest.mark.e2e

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_VERSION = "4.14.1"
AXE = VENDOR / f"axe-{AXE_VERSION}.min.js"
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
  result.violations.map(v => ({rule: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"""


def test_vendored_axe_is_the_pinned_release_with_its_licence() -> None:
    recorded = (VENDOR / f"axe-{AXE_VERSION}.min.js.sha256").read_text().split()[0]
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == recorded
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}")
    assert "Mozilla Public License" in (VENDOR / f"axe-{AXE_VERSION}.LICENSE").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own: the rounds, invitations, complaints and requests it
    records below must not show up in other tests' counts on the shared server."""
    proc = ServerProcess(tmp_path_factory.mktemp("axe"))
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def capture(server: ServerProcess, name: str, **changes: Any) -> str:
    with closing(officer_client(server.url)) as http:
        answer = post(http, new_key(), application(business_name=name, **changes))
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["tracking_code"])


@pytest.fixture(scope="module")
def tracking_code(server: ServerProcess) -> str:
    return capture(server, "Warung Aksesibel", referrals=["halal", "merek"])


def set_status(server: ServerProcess, code: str, status: str, reason: str,
               nib: str | None = None) -> int:
    """What the OSS side writes (a NIB issued, an application sent back)."""
    (app_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?", code)
    conn = open_sync(server.db_path)
    try:
        run_transaction(conn, change_status, app_id, status, "oss", reason,
                        datetime.now(UTC).isoformat(timespec="milliseconds"), nib)
    finally:
        conn.close()
    return int(app_id)


@dataclass(frozen=True)
class Records:
    """One of each thing the newer pages show, recorded through the real server."""

    round_id: int
    invitation_id: int
    invitation_code: str
    complaint_code: str
    request_id: int
    survey_token: str  # an issued application's: its survey is open
    early_token: str  # the tracking code's application: its survey is not open yet
    fix_code: str  # an application sent back for a fix


def form_post(http: httpx.Client, page: str, data: dict[str, str]) -> httpx.Response:
    return post_form(http, page, page, data)


@pytest.fixture(scope="module")
def records(server: ServerProcess, tracking_code: str) -> Records:
    with closing(admin_client(server.url)) as admin:
        round_id = create_round(admin, offset=3)
        for action, data in (("terbitkan", {}), ("undi", {"n": "1"})):
            answer = post_form(admin, f"/admin/jadwal/{round_id}",
                               f"/admin/jadwal/{round_id}/{action}", data)
            assert answer.status_code == 303, answer.text
        request = form_post(admin, "/admin/pdp", {
            "kind": "akses", "nik": "3505014507900012", "requester_name": "Siti Aminah",
            "channel": "loket", "note": "",
            "received_at": datetime.now(WIB).strftime("%Y-%m-%dT%H:%M")})
        assert request.status_code == 303, request.text
    with closing(client(server.url)) as citizen:
        invited = form_post(citizen, "/undang", {
            "name": "Sutrisno", "role": "Kepala Desa", "organisation": "Pemerintah Desa Jaten",
            "phone": "0812-3456-7890", "kecamatan": KEC, "desa": DESA,
            "place": "Balai Desa Jaten", "date1": day(15), "date2": day(16), "when": "malam",
            "expected": "40", "note": "", "client_id": uuid.uuid4().hex})
        assert invited.status_code == 200, invited.text
        complaint = form_post(citizen, "/saran", {
            "client_id": str(uuid.uuid4()), "category": "pelayanan", "round_id": "",
            "text": "Antrean di mobil layanan cukup panjang, mohon ditambah petugas.",
            "name": "Budi", "phone": "0812-3456-7890"})
        assert complaint.status_code == 201, complaint.text
    invitation_code = re.search(r'data-code="(U-[A-Z0-9-]+)"', invited.text).group(1)
    (invitation_id,), = server.query("SELECT id FROM invitations")
    (complaint_code,), = server.query("SELECT code FROM complaints")
    secret = (server.data_dir / "secret_key").read_text().strip()
    issued = capture(server, "Toko Survei Aksesibel")
    fix_code = capture(server, "Kedai Perbaikan Aksesibel")
    set_status(server, fix_code, "needs_fix", "Alamat usaha belum lengkap.")
    return Records(
        round_id=round_id, invitation_id=int(invitation_id),
        invitation_code=invitation_code, complaint_code=str(complaint_code),
        request_id=int(request.headers["location"].split("/")[3].split("?")[0]),
        survey_token=SurveyTokens(secret).issue(
            set_status(server, issued, "issued", "NIB terbit", "9120001111111")),
        early_token=SurveyTokens(secret).issue(int(server.query(
            "SELECT id FROM applications WHERE tracking_code = ?", tracking_code)[0][0])),
        fix_code=fix_code,
    )


@pytest.fixture(params=["light", "dark"])
def themed(request: pytest.FixtureRequest, browser: Any, server: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(**context_options())
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(path=str(AXE))
    context.add_cookies([{"name": "jbm_theme", "value": request.param, "url": server.url}])
    page = context.new_page()
    yield page
    context.close()


class Audit:
    """Runs axe on each page (and page state) shown to it; keeps what it finds."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.found: dict[str, Any] = {}
        self.checked: list[str] = []
        self.loading: set[Any] = set()
        page.on("request", lambda request: self.loading.add(request))
        page.on("requestfinished", lambda request: self.loading.discard(request))
        page.on("requestfailed", lambda request: self.loading.discard(request))

    def visit(self, path: str, then: Callable[[Any], None] | None = None,
              name: str | None = None, status: int = 200) -> None:
        # the page itself, not an error page or a redirect in its place
        response = self.page.goto(f"{self.base_url}{path}")  # returns at the load event
        assert (response.status, self.page.url) == (status, f"{self.base_url}{path}"), path
        if path.startswith("/petugas"):
            # the officer's app: its scripts read the phone's store and ask the server
            # after the load event (device check, pre-registrations)
            self.page.wait_for_load_state("networkidle")
        else:
            self.settle()
        if then:
            then(self.page)
        self.check(name or path)

    def settle(self, timeout: float = 10.0) -> None:
        """Until every request the page started (htmx's included) has its answer: the
        server-rendered pages ask for nothing after that."""
        deadline = time.monotonic() + timeout
        while self.loading:
            assert time.monotonic() < deadline, [r.url for r in self.loading]
            self.page.wait_for_timeout(20)

    def check(self, name: str) -> None:
        violations = self.page.evaluate(RUN_AXE)
        self.checked.append(name)
        if violations:
            self.found[name] = violations

    def log_in(self, user: tuple[str, str]) -> None:
        # Whoever was logged in logs out first, as on a phone handed to a colleague (the
        # worker then forgets the officer's pages).
        logout = self.page.locator("form[action='/keluar']")
        if logout.count():
            with self.page.expect_navigation():
                logout.evaluate("form => form.requestSubmit()")
        self.page.goto(f"{self.base_url}/masuk")
        self.page.fill("#username", user[0])
        self.page.fill("#password", user[1])
        with self.page.expect_navigation():
            self.page.click("form[action='/masuk'] button[type=submit]")


def submit(**fields: str) -> Callable[[Any], None]:
    """Fill the fields (by id) of the page's form and send it."""
    def run(page: Any) -> None:
        for field, value in fields.items():
            page.fill(f"#{field}", value)
        with page.expect_navigation():
            page.click("main form[method=post] button[type=submit]")

    return run


def look_up(code: str, digits: str) -> Callable[[Any], None]:
    return submit(kode=code, digits=digits)


def wrong_password(page: Any) -> None:
    page.fill("#username", OFFICER[0])
    page.fill("#password", "bukan-kata-sandinya")
    with page.expect_navigation():
        page.click("form[action='/masuk'] button[type=submit]")


def empty_submit(page: Any) -> None:
    poll(page, "() => Boolean(window.JBM && JBM.outbox && JBM.validate)", timeout=30)
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]:not([hidden])")


def open_menu(page: Any) -> None:
    page.click("details[data-menu] > summary")


def empty_form(page: Any) -> None:
    """Send the page's form as it is (empty: the server answers with its messages)."""
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")


def send_invitation(page: Any) -> None:
    for field, value in (("name", "Sri Wahyuni"), ("role", "Ketua Paguyuban"),
                         ("organisation", "Paguyuban Pedagang Pasar Wlingi"),
                         ("phone", "0813-2222-4444"), ("place", "Pasar Wlingi"),
                         ("date1", day(20))):
        page.fill(f"#f-{field}", value)
    page.select_option("#f-kecamatan", KEC)  # htmx swaps in that kecamatan's desa
    page.wait_for_selector("#f-desa:not(:has(optgroup))", state="attached")
    page.select_option("#f-desa", DESA)
    empty_form(page)
    page.wait_for_selector("[data-code]")


def send_complaint(page: Any) -> None:
    page.select_option("#category", "pelayanan")
    page.fill("#text", "Petugas di mobil layanan ramah dan jelas, terima kasih.")
    empty_form(page)
    page.wait_for_selector("[data-complaint-code]")


def test_every_page_has_no_axe_violations(themed: Any, server: ServerProcess,
                                          tracking_code: str, records: Records) -> None:
    audit = Audit(themed, server.url)
    r = records
    # citizens
    audit.visit("/")
    audit.visit("/cek")
    audit.visit("/cek", look_up(tracking_code, "0000"), "/cek (not found)")
    audit.visit("/cek", look_up(tracking_code, "7890"), "/cek (status page)")
    audit.visit("/masuk")
    audit.visit("/masuk", wrong_password, "/masuk (wrong password)")
    audit.visit("/offline")
    audit.visit("/ref/kbli?q=bakso")
    audit.visit("/daftar-mandiri")
    audit.visit("/daftar-mandiri/cek")
    audit.visit("/tidak-ada-halaman-ini", status=404)
    audit.visit("/syarat")
    audit.visit("/syarat/poster")
    audit.visit("/jadwal")
    audit.visit(f"/jadwal/{r.round_id}")
    audit.visit("/undang")
    audit.visit("/undang", empty_form, "/undang (errors)")
    audit.visit("/undang", send_invitation, "/undang (sent)")
    audit.visit("/undang/cek")
    audit.visit("/undang/cek", submit(**{"cek-kode": r.invitation_code, "cek-digits": "7890"}),
                "/undang/cek (answer)")
    audit.visit("/saran")
    audit.visit("/saran", empty_form, "/saran (errors)")
    audit.visit("/saran", send_complaint, "/saran (sent)")
    audit.visit("/saran/cek")
    audit.visit("/saran/cek", look_up(r.complaint_code, "7890"), "/saran/cek (status)")
    audit.visit("/ikm")
    audit.visit("/statistik")
    audit.visit(f"/survei/{r.survey_token}", name="/survei/<token>")
    audit.visit(f"/survei/{r.survey_token}", empty_form, "/survei/<token> (errors)")
    audit.visit(f"/survei/{r.early_token}", name="/survei/<token> (not open yet)")
    # an officer
    audit.log_in(OFFICER)
    audit.visit("/petugas")
    audit.visit("/petugas/daftar")
    audit.visit("/petugas/daftar", empty_submit, "/petugas/daftar (errors)")
    audit.visit("/petugas/daftar", open_menu, "/petugas/daftar (menu open)")
    audit.visit("/petugas/antrian")
    audit.visit("/petugas/pengaturan")
    audit.visit("/petugas/impor")
    audit.visit("/petugas/ringkasan")
    audit.visit(f"/petugas/permohonan/{tracking_code}")
    audit.visit(f"/petugas/permohonan/{tracking_code}/tanda-terima")
    audit.visit(f"/petugas/permohonan/{r.fix_code}/perbaiki")
    audit.visit("/petugas/offline")
    audit.visit("/petugas/survei-kiosk")
    audit.visit(f"/petugas/jadwal/{r.round_id}/laporan")
    # an admin
    audit.log_in(ADMIN)
    audit.visit("/admin/oss/")
    audit.visit("/petugas/oss-tugas/")  # the OSS operators' desk: operators and admins
    audit.visit("/admin/pesan-whatsapp/")
    audit.visit("/admin/pengguna")
    audit.visit("/admin/pengguna/1")
    audit.visit("/admin/audit")
    audit.visit("/admin/jadwal")
    audit.visit("/admin/jadwal/baru")
    audit.visit("/admin/jadwal/baru", empty_form, "/admin/jadwal/baru (errors)")
    audit.visit(f"/admin/jadwal/{r.round_id}")
    audit.visit(f"/admin/jadwal/{r.round_id}/ubah")
    audit.visit(f"/admin/jadwal/{r.round_id}/undian")
    audit.visit("/admin/jadwal/petugas")
    audit.visit("/admin/jadwal/mobil")
    audit.visit("/admin/jadwal/honor")
    audit.visit("/admin/undangan")
    audit.visit(f"/admin/undangan/{r.invitation_id}")
    audit.visit("/admin/saran")
    audit.visit(f"/admin/saran/{r.complaint_code}")
    audit.visit("/admin/libur")
    audit.visit("/admin/ikm")
    audit.visit("/admin/statistik")
    audit.visit("/admin/statistik/cakupan")
    audit.visit("/admin/statistik/ekspor")
    audit.visit("/admin/pdp")
    audit.visit(f"/admin/pdp/{r.request_id}")
    # the partner agencies' desk (an admin picks the agency) and their services
    (halal,), = server.query(
        "SELECT r.id FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id"
        " WHERE a.tracking_code = ? AND s.code = 'halal'", tracking_code)
    (kemenag,), = server.query("SELECT id FROM agencies WHERE code = 'kemenag'")
    audit.visit(f"/mitra?instansi={kemenag}")
    audit.visit(f"/mitra/rujukan/{halal}")
    audit.visit(f"/petugas/permohonan/{tracking_code}/surat-merek")
    audit.visit("/admin/mitra")
    assert len(audit.checked) == 74
    assert audit.found == {}, json.dumps(audit.found, indent=1, ensure_ascii=False)


def test_brand_and_queue_badge_say_what_they_are_on_a_narrow_phone(
    browser: Any, server: ServerProcess
) -> None:
    context = browser.new_context(**context_options(viewport={"width": 320, "height": 568}))
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/")
        expect(page.get_by_role("link", name="Joss Banget Mas", exact=True)).to_be_visible()
        login(page, server.url, "/petugas")
        expect(page.get_by_role("link", name="Joss Banget Mas", exact=True)).to_be_visible()
        badge = page.locator("[data-queue-badge]")
        count = page.locator("[data-queue-count]").inner_text()
        expect(badge).to_have_accessible_name(f"Antrian {count} permohonan belum terkirim di HP")
    finally:
        context.close()
