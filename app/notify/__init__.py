"""Telling people about status changes: Web Push (push.py), the notifier that feeds it from
status events (notifier.py), and the WhatsApp hand-off (whatsapp.py)."""
