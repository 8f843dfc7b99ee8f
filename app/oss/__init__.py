"""Forwarding applications to OSS (the national licensing system that issues the NIB).

gateway.py       the protocol every OSS implementation speaks, and its outcomes
http_gateway.py  OSS over HTTP (httpx): registration, reference lookup, PIA checkNIB/inqueryNIB
assisted.py      assisted mode: the job becomes a task for an OSS operator at the office
forwarder.py     leases outbox jobs and drives them through the gateway
service.py       what the routes call: views, receiveNIB, operator tasks, corrections
pure helpers     backoff.py, breaker.py, pacing.py, pia.py, registration.py, waiting.py
                 (no I/O)

The local OSS the ``simulator`` mode talks to is a program of its own: ``app.ossim``.
"""
