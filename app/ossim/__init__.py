"""A local OSS, a program of its own: issues NIBs, serves PIA's methods, pushes receiveNIB,
and fails on command.

Run: ``python -m app.ossim --port 8001 [--db PATH] [fault flags]`` (plain ASGI app under
uvicorn, loopback only). ``python -m app serve`` starts one beside the app by default
(process.py). It shares with the app only pure helpers: ``app.domain.nik`` (Dukcapil's NIK
rules), ``app.oss.pia`` (PIA's token and JSON shapes) and ``app.oss.pacing`` (the token
bucket of its rate limit); nothing in the app imports it but the command line.

API (base ``/v1/kl/rba``, header ``user_key`` when configured), see app/oss/http_gateway.py:
- ``registrasiUMK``: validates like OSS (NIK per Dukcapil rules, owner at least 17, KBLI in
  KBLI 2020 and open to a perseorangan UMK) and issues a 13-digit NIB, ONE per reference for
  ever: NIBs live in a small SQLite file, so a restart keeps them;
- ``cekRegistrasi``: the NIB of a reference, or 404;
- PIA ``checkNIB`` and ``inqueryNIB`` with OSS's JSON shapes.

Faults (flags and ``POST /_sim/faults``; see faults.py for which act before failing):
``--error-rate`` with ``--fault-mix 503=1,500=1,504=1,hang=1,reset=1,malformed=1``,
``--latency-ms A-B``, ``--hang-s``, ``--down START:END[:MODE]`` windows (MODE 503, hang or
reset), ``--rate-limit R --rate-burst B`` (429 with Retry-After). A refused connection is
the simulator not running: stop the process (NIBs survive a restart).

Admin (never faulted or rate-limited): ``GET /_sim/counters`` (requests, probes during down
windows, NIBs issued, duplicates, max concurrent in flight, max requests in any second),
``POST /_sim/counters/reset``, ``GET|POST /_sim/faults``, ``POST /_sim/down``
``{"for_s", "mode", "in_s"}``, ``POST /_sim/up``, ``POST /_sim/portal`` (a NIB issued in
the portal, not pushed), ``POST /_sim/push`` (push receiveNIB to the app with the SHA1
token; ``"token"`` overrides it), ``GET /_sim/nibs[?reference=]``.

__main__.py    the command line: flags -> settings, uvicorn
server.py      the ASGI app: routes, the gate (user_key, rate limit, faults), admin, push
methods.py     what OSS does: registrasiUMK, cekRegistrasi, checkNIB, inqueryNIB
validation.py  OSS's checks of a registration, the KBLI 2020 table
store.py       the NIB register (SQLite)
faults.py      the fault plan, decided without I/O
counters.py    what the admin endpoint reports
asgi.py        JSON in and out, the connection reset
process.py     the launcher: the simulator as a child process of ``serve`` / ``forward``
"""
