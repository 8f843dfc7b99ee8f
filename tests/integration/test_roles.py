"""Role-based access (issue 9, defect 4) over real HTTP against the real server process.

Every route of the app, under every role: anonymous, officer A, officer B, OSS operator,
mitra, DPO and admin. An officer sees only their own applications (another's answer 404,
not 403: existence is not revealed); the operator reads the applications of its tasks;
admins see all; the DPO has the data-subject desk, the mitra its agency's desk (/mitra)
and no staff pages. Every view of a full NIK is audited, without the NIK.

The server runs in the assisted OSS mode (the production mode), so applications get
operator tasks as they would in the office.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.clock import WIB
from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from app.main import create_app
from app.settings import Settings
from tests.integration.test_oss_support import nik_for, oss_env, wait_for
from tests.support import (
    ADMIN,
    OFFICER,
    ServerProcess,
    application,
    client,
    csrf_from,
    login,
    new_key,
    post_application,
)

PASSWORD = "kebun-kopi-wlingi-pagi"
ROLES = ("anonymous", "officer_a", "officer_b", "oss_operator", "mitra", "dpo", "admin")

# What a role gets from a route.
OK = "ok"  # served: not a login redirect, not 401/403/404, not a server error
LOGIN = "login"  # anonymous: sent to /masuk (pages) or 401 (JSON API)
FORBIDDEN = "403"
HIDDEN = "404"


def expect(ok: tuple[str, ...], hidden: tuple[str, ...] = ()) -> dict[str, str]:
    """The roles in ``ok`` are served, those in ``hidden`` get 404, the anonymous visitor
    is sent to log in, every other role is refused (403). Admins are always served."""
    result = {role: FORBIDDEN for role in ROLES}
    result.update({role: HIDDEN for role in hidden})
    result.update({role: OK for role in (*ok, "admin")})
    result["anonymous"] = LOGIN
    return result


ANY = {role: OK for role in ROLES}
SAME = {role: "same" for role in ROLES}  # not by session: every role gets anonymous's answer
LOGGED_IN = expect(("officer_a", "officer_b", "oss_operator", "mitra", "dpo"))
OFFICERS = expect(("officer_a", "officer_b"))
OPERATOR = expect(("oss_operator",))
ADMINS = expect(())
ADMIN_GONE = {**ADMINS, "admin": HIDDEN}  # an admin's own thing that does not exist (404)
DPO_DESK = expect(("dpo",))
MITRA_DESK = expect(("mitra",))  # the mitra of Dinas Koperasi: its own referral (merek)
# Officer A's application with an open operator task: the operator reads it.
A_READ = expect(("officer_a", "oss_operator"), hidden=("officer_b",))
# Acting on it: A and admins; the operator, who can see it, is refused.
A_CHANGE = expect(("officer_a",), hidden=("officer_b",))
# Officer A's application OSS sent back, its task closed by the admin: hidden from the
# operator too.
A_FIX = expect(("officer_a",), hidden=("officer_b", "oss_operator"))

# Every route of the app (method, path as in the route table) and who may use it.
# test_the_matrix_covers_every_route keeps this complete.
ROUTES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/healthz"): ANY,
    ("GET", "/"): ANY,
    ("GET", "/cek"): ANY,
    ("POST", "/cek"): SAME,
    ("POST", "/tema"): SAME,
    ("GET", "/masuk"): ANY,
    ("POST", "/masuk"): SAME,
    ("GET", "/masuk/pemberitahuan"): LOGGED_IN,
    ("POST", "/masuk/pemberitahuan"): LOGGED_IN,
    ("GET", "/akun"): LOGGED_IN,
    ("GET", "/petugas"): OFFICERS,
    ("GET", "/petugas/daftar"): OFFICERS,
    ("POST", "/petugas/daftar"): OFFICERS,
    ("GET", "/petugas/permohonan/{code:str}"): A_READ,
    ("GET", "/petugas/permohonan/{code:str}/tanda-terima"): A_READ,
    ("POST", "/petugas/permohonan/{code:str}/whatsapp-terkirim"): A_CHANGE,
    ("GET", "/petugas/permohonan/{code:str}/perbaiki"): A_FIX,
    ("POST", "/petugas/permohonan/{code:str}/perbaiki"): A_FIX,
    ("GET", "/petugas/antrian"): OFFICERS,
    ("GET", "/petugas/pengaturan"): OFFICERS,
    ("GET", "/petugas/impor"): OFFICERS,
    ("POST", "/petugas/impor"): OFFICERS,
    ("GET", "/petugas/ringkasan"): OFFICERS,
    ("POST", "/petugas/permohonan/{code:str}/layanan-mitra"): A_CHANGE,
    ("GET", "/petugas/permohonan/{code:str}/surat-merek"): A_READ,
    ("GET", "/petugas/oss-tugas"): OPERATOR,
    ("GET", "/petugas/oss-tugas/{task_id:int}"): OPERATOR,
    ("POST", "/petugas/oss-tugas/{task_id:int}/ambil"): OPERATOR,
    ("POST", "/petugas/oss-tugas/{task_id:int}/lepas"): OPERATOR,
    ("POST", "/petugas/oss-tugas/{task_id:int}/selesai"): OPERATOR,
    ("POST", "/petugas/oss-tugas/{task_id:int}/tolak"): OPERATOR,
    ("GET", "/sw.js"): ANY,
    ("GET", "/sw/{name:str}"): ANY,
    ("GET", "/offline"): ANY,
    ("GET", "/petugas/offline"): OFFICERS,
    ("GET", "/ref/desa"): ANY,
    ("GET", "/ref/kbli"): ANY,
    ("GET", "/ref/kbli.json"): ANY,
    ("GET", "/ref/wilayah.json"): ANY,
    ("GET", "/static/{file_path:path}"): ANY,
    ("POST", "/api/applications"): OFFICERS,
    ("POST", "/api/applications/batch"): OFFICERS,
    ("POST", "/api/oss/receiveNIB"): SAME,
    ("GET", "/api/push/kunci"): ANY,
    ("POST", "/api/push/warga"): SAME,
    ("POST", "/api/push/warga/berhenti"): SAME,
    ("POST", "/api/push/warga/status"): SAME,
    ("POST", "/api/push/petugas"): OFFICERS,
    ("POST", "/api/push/petugas/berhenti"): OFFICERS,
    ("POST", "/api/push/petugas/status"): OFFICERS,
    ("POST", "/api/perangkat"): OFFICERS,
    ("GET", "/admin/pengguna"): ADMINS,
    ("POST", "/admin/pengguna"): ADMINS,
    ("GET", "/admin/pengguna/{user_id:int}"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/peran"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/kata-sandi"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/nonaktifkan"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/aktifkan"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/cabut-sesi"): ADMINS,
    ("POST", "/admin/pengguna/{user_id:int}/perangkat/{device_id:int}/cabut"): ADMINS,
    ("GET", "/admin/audit"): ADMINS,
    ("GET", "/admin/oss"): ADMINS,
    ("POST", "/admin/oss/kiriman/{push_id:int}/cocokkan"): ADMINS,
    ("GET", "/admin/pesan-whatsapp"): ADMINS,
    ("POST", "/admin/pesan-whatsapp"): ADMINS,
    ("GET", "/admin/pdp"): DPO_DESK,
    ("POST", "/admin/pdp"): DPO_DESK,
    ("GET", "/admin/pdp/{request_id:int}"): DPO_DESK,
    ("POST", "/admin/pdp/{request_id:int}/status"): DPO_DESK,
    ("POST", "/admin/pdp/{request_id:int}/akses"): DPO_DESK,
    # an access request: erasing it is refused (409), whoever may try
    ("POST", "/admin/pdp/{request_id:int}/hapus"): DPO_DESK,
    # -- the car's rounds: the office plans, officers see their own round's report ---------
    ("GET", "/admin/jadwal"): ADMINS,
    ("GET", "/admin/jadwal/baru"): ADMINS,
    ("POST", "/admin/jadwal/baru"): ADMINS,
    ("GET", "/admin/jadwal/{round_id:int}"): ADMINS,
    ("GET", "/admin/jadwal/{round_id:int}/ubah"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/ubah"): ADMINS,
    ("GET", "/admin/jadwal/{round_id:int}/undian"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/undi"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/ganti"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/terbitkan"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/selesai"): ADMINS,
    ("POST", "/admin/jadwal/{round_id:int}/batalkan"): ADMINS,
    ("GET", "/admin/jadwal/honor"): ADMINS,
    ("GET", "/admin/jadwal/honor.csv"): ADMINS,
    ("GET", "/admin/jadwal/honor.xlsx"): ADMINS,
    ("POST", "/admin/jadwal/honor/anggaran"): ADMINS,
    ("GET", "/admin/jadwal/mobil"): ADMINS,
    ("POST", "/admin/jadwal/mobil"): ADMINS,
    ("POST", "/admin/jadwal/mobil/{car_id:int}/nonaktifkan"): ADMINS,
    ("POST", "/admin/jadwal/mobil/{car_id:int}/aktifkan"): ADMINS,
    ("POST", "/admin/jadwal/instansi/{agency_id:int}"): ADMINS,
    ("GET", "/admin/jadwal/petugas"): ADMINS,
    ("POST", "/admin/jadwal/petugas/{user_id:int}/seksi"): ADMINS,
    ("POST", "/admin/jadwal/petugas/cuti"): ADMINS,
    ("POST", "/admin/jadwal/petugas/cuti/{leave_id:int}/hapus"): ADMINS,
    ("GET", "/admin/undangan"): ADMINS,
    ("GET", "/admin/undangan/{invitation_id:int}"): ADMINS,
    ("POST", "/admin/undangan/{invitation_id:int}/terima"): ADMINS,
    ("POST", "/admin/undangan/{invitation_id:int}/usulkan"): ADMINS,
    ("POST", "/admin/undangan/{invitation_id:int}/tolak"): ADMINS,
    ("GET", "/petugas/jadwal/{round_id:int}/laporan"): expect(("officer_a",)),
    ("GET", "/petugas/jadwal/{round_id:int}/laporan.csv"): expect(("officer_a",)),
    ("GET", "/undang"): ANY,
    ("POST", "/undang"): SAME,
    ("GET", "/undang/cek"): ANY,
    ("POST", "/undang/cek"): SAME,
    # -- citizens' own pages: what to bring, the survey, the index, complaints -----------
    ("GET", "/syarat"): ANY,
    ("GET", "/syarat/poster"): ANY,
    ("GET", "/survei/{token:str}"): SAME,
    ("POST", "/survei/{token:str}"): SAME,
    ("GET", "/ikm"): ANY,
    ("GET", "/saran"): ANY,
    ("POST", "/saran"): SAME,
    ("GET", "/saran/cek"): ANY,
    ("POST", "/saran/cek"): SAME,
    # pre-registration from home, and the officers' download for their rounds
    ("GET", "/daftar-mandiri"): ANY,
    ("POST", "/daftar-mandiri"): SAME,
    ("GET", "/daftar-mandiri/cek"): ANY,
    ("POST", "/daftar-mandiri/cek"): SAME,
    ("GET", "/api/praregistrasi"): OFFICERS,
    ("GET", "/petugas/survei-kiosk"): OFFICERS,
    ("POST", "/api/survei"): OFFICERS,
    ("GET", "/admin/ikm"): ADMINS,
    ("GET", "/admin/ikm/ekspor.csv"): ADMINS,
    ("GET", "/admin/ikm/ekspor.xlsx"): ADMINS,
    ("GET", "/admin/saran"): ADMINS,
    ("GET", "/admin/saran/{complaint:str}"): ADMINS,
    ("POST", "/admin/saran/{complaint:str}/tugaskan"): ADMINS,
    ("POST", "/admin/saran/{complaint:str}/jawab"): ADMINS,
    ("POST", "/admin/saran/{complaint:str}/lapor"): ADMINS,
    ("POST", "/admin/saran/{complaint:str}/tutup"): ADMINS,
    # the office's holiday list (the complaints' clock, the round form's warning)
    ("GET", "/admin/libur"): ADMINS,
    ("POST", "/admin/libur"): ADMINS,
    ("POST", "/admin/libur/tempel"): ADMINS,
    ("GET", "/admin/libur/cek"): ADMINS,
    ("GET", "/admin/libur/{holiday_id:int}/hapus"): ADMIN_GONE,  # none with that id
    ("POST", "/admin/libur/{holiday_id:int}/hapus"): ADMINS,  # nothing to delete: back to the list
    # -- the office's numbers ---------------------------------------------------------------
    ("GET", "/statistik"): ANY,
    ("GET", "/admin/statistik"): ADMINS,
    ("GET", "/admin/statistik/cakupan"): ADMINS,
    ("POST", "/admin/statistik/cakupan"): ADMINS,
    ("POST", "/admin/statistik/cakupan/impor"): ADMINS,
    ("GET", "/admin/statistik/ekspor"): ADMINS,
    ("POST", "/admin/statistik/ekspor"): ADMINS,
    ("GET", "/admin/statistik/ekspor/{job_id:str}"): ADMIN_GONE,
    ("GET", "/admin/statistik/ekspor/{job_id:str}/unduh"): ADMIN_GONE,
    # -- partner agencies: their desk, and the services the admin edits -------------------
    ("GET", "/mitra"): MITRA_DESK,
    ("GET", "/mitra/rujukan/{referral_id:int}"): MITRA_DESK,
    ("POST", "/mitra/rujukan/{referral_id:int}"): MITRA_DESK,
    ("GET", "/mitra/rujukan/{referral_id:int}/surat-merek"): MITRA_DESK,
    ("GET", "/admin/mitra"): ADMINS,
    ("POST", "/admin/mitra/layanan/{service_id:int}"): ADMINS,
    # -- the public schedule and its feeds ---------------------------------------------------
    ("GET", "/jadwal"): ANY,
    ("GET", "/jadwal.ics"): ANY,
    ("GET", "/jadwal.json"): ANY,
    ("GET", "/jadwal/kecamatan/{name:str}"): ANY,
    ("GET", "/jadwal/{name:str}"): ANY,
    ("GET", "/jadwal/{name:str}/kartu.svg"): ANY,
    ("POST", "/api/push/kecamatan"): SAME,
    ("POST", "/api/push/kecamatan/berhenti"): SAME,
    ("POST", "/api/push/kecamatan/status"): SAME,
    # Last for every role: it ends the session (test_logout_is_for_everyone).
    ("POST", "/keluar"): SAME,
}


@dataclass
class World:
    server: ServerProcess
    http: dict[str, httpx.Client]
    csrf: dict[str, str]
    ids: dict[str, int]  # user ids by role
    app_read: str  # officer A's application with an open operator task
    app_fix: str  # officer A's application sent back (needs_fix), its task closed by admin
    task: int  # the open task of app_read
    subject_request: int  # a data-subject access request on the DPO's desk
    nik_read: str
    referral: int  # app_read's trademark referral (Dinas Koperasi, the mitra's agency)
    round_id: int = 0  # a round officer A is assigned to
    invitation_id: int = 0
    leave_id: int = 0


def _new_user(admin: httpx.Client, token: str, role: str, agency_id: str = "") -> str:
    name = f"{role.replace('_', '')}{uuid.uuid4().hex[:6]}"
    response = admin.post("/admin/pengguna", data={
        "_csrf_token": token, "username": name, "full_name": f"Uji {role}", "role": role,
        "agency_id": agency_id, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return name


def _session(server: ServerProcess, username: str, password: str) -> httpx.Client:
    http = client(server.url)
    response = login(http, username, password)
    assert response.status_code == 303, response.text
    return http


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    server = ServerProcess(tmp_path_factory.mktemp("roles"),
                           **oss_env(None, JBM_OSS_MODE="assisted"))
    server.seed()
    server.start()
    http: dict[str, httpx.Client] = {"anonymous": client(server.url)}
    try:
        http["admin"] = _session(server, *ADMIN)
        http["officer_a"] = _session(server, *OFFICER)
        names = {"admin": ADMIN[0], "officer_a": OFFICER[0]}
        token = csrf_from(http["admin"].get("/admin/pengguna").text)
        (dinkopum,), = server.query("SELECT id FROM agencies WHERE code = 'dinkopum'")
        for role, stored in (("officer_b", "officer"), ("oss_operator", "oss_operator"),
                             ("mitra", "mitra"), ("dpo", "dpo")):
            names[role] = _new_user(http["admin"], token, stored,
                                    str(dinkopum) if stored == "mitra" else "")
            http[role] = _session(server, names[role], PASSWORD)
        ids = {role: server.query("SELECT id FROM users WHERE username = ?", name)[0][0]
               for role, name in names.items()}
        codes = []
        for index in (0, 1):
            response = post_application(http["officer_a"], new_key(), application(
                nik=nik_for(index), referrals=["merek", "halal"] if index == 0 else []))
            assert response.status_code == 201, response.text
            codes.append(response.json()["tracking_code"])
        def open_tasks() -> dict[str, int] | None:
            found = dict(server.query(
                "SELECT a.tracking_code, t.id FROM oss_tasks t JOIN applications a"
                " ON a.id = t.application_id WHERE t.state = 'open'"))
            return found if len(found) == 2 else None

        tasks = wait_for(open_tasks, timeout=10, what="two operator tasks")
        # The admin (who may do everything) takes the second task and records OSS's refusal.
        admin = http["admin"]
        admin_token = csrf_from(admin.get("/petugas/oss-tugas").text)
        fix_task = tasks[codes[1]]
        assert admin.post(f"/petugas/oss-tugas/{fix_task}/ambil",
                          data={"_csrf_token": admin_token}).status_code == 303
        assert admin.post(f"/petugas/oss-tugas/{fix_task}/tolak", data={
            "_csrf_token": admin_token, "reason": "Nama tidak sesuai KTP"}).status_code == 303
        csrf = {role: csrf_from(h.get("/masuk" if role == "anonymous" else "/akun").text)
                for role, h in http.items()}
        recorded = http["dpo"].post("/admin/pdp", data={
            "_csrf_token": csrf["dpo"], "kind": "akses", "nik": nik_for(50),
            "requester_name": "Pemohon Uji", "channel": "loket", "note": "",
            "received_at": datetime.now(WIB).strftime("%Y-%m-%dT%H:%M")})
        assert recorded.status_code == 303, recorded.text
        subject_request = int(re.search(r"/admin/pdp/(\d+)", recorded.headers["location"])
                              .group(1))
        round_id, invitation_id, leave_id = _rounds_world(server, ids["officer_a"])
        (referral,), = server.query(
            "SELECT r.id FROM referrals r JOIN agency_services s ON s.id = r.service_id"
            " JOIN applications a ON a.id = r.application_id"
            " WHERE s.code = 'merek' AND a.tracking_code = ?", codes[0])
        yield World(server, http, csrf, ids, codes[0], codes[1], tasks[codes[0]],
                    subject_request, nik_for(0), referral, round_id, invitation_id, leave_id)
    finally:
        for h in http.values():
            h.close()
        server.stop()


def _rounds_world(server: ServerProcess, officer_id: int) -> tuple[int, int, int]:
    """A round tomorrow evening with officer A on it, an invitation, a leave row."""
    day = (datetime.now(WIB) + timedelta(days=1)).date().isoformat()
    now = datetime.now(WIB).isoformat()
    with sqlite3.connect(server.db_path) as conn:
        round_id = conn.execute(
            "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, place, car_id, status, created_at, updated_at) VALUES (?, '19:00',"
            " '22:00', ?, ?, 1, '35.05.01', 'Balai Desa Jaten', 1, 'published', ?, ?)",
            (day, f"{day}T12:00:00.000+00:00", f"{day}T15:00:00.000+00:00", now, now),
        ).lastrowid
        conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by,"
                     " how) VALUES (?, ?, ?, 'uji', 'draw')", (round_id, officer_id, now))
        draw = {"seed": 7, "n": 1, "chosen": [officer_id], "pool": [[officer_id, 0, 0, 0, 0]]}
        conn.execute("INSERT INTO round_history (round_id, at, actor, action, detail)"
                     " VALUES (?, ?, 'uji', 'draw', ?)", (round_id, now, json.dumps(draw)))
        invitation_id = conn.execute(
            "INSERT INTO invitations (code, client_id, name, role, organisation, phone,"
            " kecamatan, place, dates_json, evening, created_at, updated_at) VALUES"
            " ('UJIROLE', ?, 'Kades Uji', 'Kepala desa', 'Desa Jaten', '6281234567890',"
            " '35.05.01', 'Balai desa', ?, 1, ?, ?)",
            (str(uuid.uuid4()), json.dumps([day]), now, now)).lastrowid
        conn.execute(
            "INSERT INTO complaints (code, client_id, category, text, received_day,"
            " created_at, updated_at) VALUES ('SARANUJI', ?, 'pelayanan',"
            " 'Antrean terlalu panjang di balai desa.', ?, ?, ?)",
            (str(uuid.uuid4()), day, now, now))
        leave_id = conn.execute(
            "INSERT INTO officer_leave (user_id, first_day, last_day) VALUES (?, ?, ?)",
            (officer_id, day, day)).lastrowid
    return int(round_id or 0), int(invitation_id or 0), int(leave_id or 0)


def _named(path: str) -> str:
    """The route table's path, with a complaint's code told apart from an application's."""
    return path.replace("/admin/saran/{code:str}", "/admin/saran/{complaint:str}")


def _url(world: World, method: str, path: str) -> str:
    if path.startswith("/jadwal/kecamatan/"):
        return path.replace("{name:str}", "35.05.01.ics")
    if path.startswith("/jadwal/"):
        return path.replace("{name:str}", str(world.round_id))
    code = world.app_fix if path.endswith("/perbaiki") else world.app_read
    return (path.replace("{code:str}", code)
            .replace("{task_id:int}", str(world.task))
            .replace("{user_id:int}", str(world.ids["admin"]))  # the admin's own: harmless
            .replace("{push_id:int}", "999999")
            .replace("{request_id:int}", str(world.subject_request))
            .replace("{complaint:str}", "SARANUJI")
            .replace("{token:str}", "1.tidak-sah")
            .replace("{job_id:str}", "tidak-ada")
            .replace("{round_id:int}", str(world.round_id))
            .replace("{invitation_id:int}", str(world.invitation_id))
            .replace("{leave_id:int}", str(world.leave_id))
            .replace("{car_id:int}", "1")
            .replace("{device_id:int}", "999999")
            .replace("{agency_id:int}", "1")
            .replace("{referral_id:int}", str(world.referral))
            .replace("{service_id:int}", "1")
            .replace("{holiday_id:int}", "999999")
            .replace("{name:str}", "outbox.js")
            .replace("{file_path:path}", "css/app.css"))


def _call(world: World, role: str, method: str, path: str) -> httpx.Response:
    http = world.http[role]
    url = _url(world, method, path)
    if method == "GET":
        return http.get(url)
    if path.startswith("/api/"):
        return http.post(url, json={})
    # Empty forms: a served request is refused by validation (422) or changes nothing.
    return http.post(url, data={"_csrf_token": world.csrf[role]})


def _outcome(response: httpx.Response) -> str:
    status = response.status_code
    assert status < 500, f"{response.request.url}: {status}"
    if status == 401 or (status == 303 and response.headers["location"].startswith(
            "/masuk?next=")):
        return LOGIN
    if status in (403, 404):
        return str(status)
    return OK


def test_the_matrix_covers_every_route(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    table = {(method, _named(route.path)) for route in app.routes
             for method in route.methods - {"OPTIONS", "HEAD"}}
    assert table == set(ROUTES)


def test_every_route_under_every_role(world: World) -> None:
    wrong: list[str] = []
    for (method, path), expected in ROUTES.items():
        if path == "/keluar":
            continue
        answers = {role: _call(world, role, method, path) for role in ROLES}
        for role in ROLES:
            want = expected[role]
            if want == "same":  # e.g. receiveNIB: 503 without a PIA token configured
                want_status, got_status = answers["anonymous"].status_code, answers[
                    role].status_code
                if want_status != got_status:
                    wrong.append(f"{role} {method} {path}: {got_status}, anonymous got "
                                 f"{want_status}")
            elif (got := _outcome(answers[role])) != want:
                wrong.append(f"{role} {method} {path}: {got} ({answers[role].status_code}),"
                             f" expected {want}")
    assert not wrong, "\n".join(wrong)


def test_refusals_say_why_in_bahasa_indonesia(world: World) -> None:
    page = world.http["mitra"].get("/petugas")
    assert page.status_code == 403
    assert "hanya untuk Petugas lapangan dan Admin" in page.text
    assert "Akun Anda berperan Mitra" in page.text
    # the way back leads to the mitra's own start page, not to the refused one
    assert 'href="/mitra"' in page.text
    api = world.http["dpo"].post("/api/applications", json=application(),
                                 headers={"Idempotency-Key": new_key()})
    assert api.status_code == 403 and api.json()["error"] == "forbidden"
    assert "Pejabat pelindungan data" in api.json()["message"]
    read_only = world.http["oss_operator"].post(
        f"/petugas/permohonan/{world.app_read}/whatsapp-terkirim",
        data={"_csrf_token": world.csrf["oss_operator"]})
    assert read_only.status_code == 403 and "hanya dapat melihat" in read_only.text


def test_each_role_starts_on_its_own_page(world: World) -> None:
    starts = {"officer_a": "/petugas", "admin": "/petugas", "oss_operator": "/petugas/oss-tugas",
              "mitra": "/mitra", "dpo": "/admin/pdp"}
    for role, start in starts.items():
        assert world.http[role].get("/masuk").headers["location"] == start, role


def _issue(server: ServerProcess, code: str) -> None:
    (app_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?", code)
    conn = open_sync(server.db_path)
    try:
        run_transaction(conn, change_status, app_id, "issued", "oss", "NIB terbit",
                        "2026-11-29T03:00:00+00:00", "9120001234567")
    finally:
        conn.close()


def test_officer_b_cannot_open_mark_or_correct_officer_a_applications(world: World) -> None:
    b, a = world.http["officer_b"], world.http["officer_a"]
    server = world.server
    for path in (f"/petugas/permohonan/{world.app_read}",
                 f"/petugas/permohonan/{world.app_read}/tanda-terima",
                 f"/petugas/permohonan/{world.app_fix}",
                 f"/petugas/permohonan/{world.app_fix}/perbaiki"):
        page = b.get(path)
        assert page.status_code == 404, path
        assert world.nik_read not in page.text and nik_for(1) not in page.text
    # an unknown code answers the same: B learns nothing about A's codes
    assert b.get("/petugas/permohonan/ABCDEFG").status_code == 404

    # B corrects A's returned application with B's own WhatsApp number: refused, unchanged
    form = a.get(f"/petugas/permohonan/{world.app_fix}/perbaiki")
    assert form.status_code == 200
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form.text))
    fields.update(_csrf_token=world.csrf["officer_b"], phone="0899-1111-2222")
    before = server.query("SELECT phone, status FROM applications WHERE tracking_code = ?",
                          world.app_fix)
    assert b.post(f"/petugas/permohonan/{world.app_fix}/perbaiki",
                  data=fields).status_code == 404
    assert server.query("SELECT phone, status FROM applications WHERE tracking_code = ?",
                        world.app_fix) == before

    # B marks A's issued application as sent by WhatsApp: refused, nothing recorded; A can
    _issue(server, world.app_read)
    mark = f"/petugas/permohonan/{world.app_read}/whatsapp-terkirim"
    assert b.post(mark, data={"_csrf_token": world.csrf["officer_b"]}).status_code == 404
    assert server.query("SELECT status FROM applications WHERE tracking_code = ?",
                        world.app_read) == [("issued",)]
    assert a.post(mark, data={"_csrf_token": world.csrf["officer_a"]}).status_code == 303
    assert server.query("SELECT status FROM applications WHERE tracking_code = ?",
                        world.app_read) == [("notified",)]

    # B's own list and summary of the day hold none of A's applications
    home = b.get("/petugas")
    for code in (world.app_read, world.app_fix):
        assert home.status_code == 200 and f"{code[:3]}-{code[3:]}" not in home.text
    assert f"{world.app_read[:3]}-{world.app_read[3:]}" in a.get("/petugas").text
    assert "Belum ada perubahan status" in b.get("/petugas/ringkasan").text
    assert "Belum ada perubahan status" not in a.get("/petugas/ringkasan").text


def test_admin_sees_every_application(world: World) -> None:
    admin = world.http["admin"]
    for code, nik in ((world.app_read, world.nik_read), (world.app_fix, nik_for(1))):
        page = admin.get(f"/petugas/permohonan/{code}")
        assert page.status_code == 200 and nik in page.text


def _nik_views(server: ServerProcess) -> list[tuple]:
    return server.query(
        "SELECT user_id, username, action, target_type, target_id, route, client, detail, at"
        " FROM audit_log WHERE action = 'nik.view' ORDER BY id")


def test_every_full_nik_view_is_audited_without_the_nik(world: World) -> None:
    server = world.server
    (read_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?",
                               world.app_read)
    (fix_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?",
                              world.app_fix)
    views = [
        ("officer_a", f"/petugas/permohonan/{world.app_read}", read_id, "halaman permohonan"),
        ("admin", f"/petugas/permohonan/{world.app_fix}", fix_id, "halaman permohonan"),
        ("officer_a", f"/petugas/permohonan/{world.app_fix}/perbaiki", fix_id,
         "perbaikan permohonan"),
        ("oss_operator", f"/petugas/oss-tugas/{world.task}", read_id,
         f"tugas operator OSS {world.task}"),
    ]
    for role, path, app_id, page_name in views:
        before = len(_nik_views(server))
        page = world.http[role].get(path)
        assert page.status_code == 200, (role, path)
        rows = _nik_views(server)
        assert len(rows) == before + 1, (role, path)
        user_id, username, _, target_type, target_id, route, client_ip, detail, at = rows[-1]
        assert (user_id, target_type, target_id, route, client_ip, detail) == (
            world.ids[role], "application", str(app_id), f"GET {path}", "127.0.0.1",
            page_name)
        assert username and at

    # refused and masked pages leave no entry: B's 404, the receipt (masked NIK)
    before = len(_nik_views(server))
    assert world.http["officer_b"].get(f"/petugas/permohonan/{world.app_read}"
                                       ).status_code == 404
    receipt = world.http["officer_a"].get(f"/petugas/permohonan/{world.app_read}/tanda-terima")
    assert receipt.status_code == 200 and world.nik_read not in receipt.text
    assert len(_nik_views(server)) == before

    # the admin reads them in the audit log, and no entry holds a NIK
    log = world.http["admin"].get("/admin/audit", params={"aksi": "nik.view"})
    assert log.status_code == 200 and "NIK lengkap dilihat" in log.text
    everything = server.query("SELECT * FROM audit_log")
    assert everything
    for row in everything:
        assert not re.search(r"\d{16}", "|".join(str(v) for v in row)), row
    assert world.nik_read not in server.log_text()


def test_logout_is_for_everyone(world: World) -> None:
    for role in ROLES:
        response = _call(world, role, "POST", "/keluar")
        assert response.status_code == 303 and response.headers["location"] == "/masuk", role
        if role != "anonymous":
            assert _outcome(world.http[role].get("/akun")) == LOGIN
