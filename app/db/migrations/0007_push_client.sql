-- Push subscriptions per client (issue 9, defect 3): each link remembers the client that
-- made it, as an HMAC of its address (IPv6: its /64), never the address itself, so one
-- client can make only so many subscriptions a day (JBM_PUSH_MAX_PER_CLIENT).
ALTER TABLE push_links ADD COLUMN client_key TEXT;
CREATE INDEX push_links_by_client ON push_links(client_key, created_at)
    WHERE client_key IS NOT NULL;
