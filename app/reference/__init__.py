"""Reference data: KBLI 2020 business classification and Kabupaten Blitar regions.

Both catalogs are pure Python (stdlib only). They read their CSV from ``app/data/`` once,
at ``load()``, and answer every lookup and search from memory afterwards.
"""
