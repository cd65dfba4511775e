-- Failed sign-ins, counted in the database so that every server behind a
-- balancer counts the same attempts: one row per failure and key (an
-- address, or a client), pruned once older than the counting window.
-- Keep equivalent to the other backend's 0006_login_failures.sql.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);
