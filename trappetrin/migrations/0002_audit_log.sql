-- Migration 2: schema version 1 -> 2. Shipped: never edit, add a new file.
-- the audit trail. Append-only: the application has no UPDATE or DELETE for it.
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    event_id INTEGER PRIMARY KEY DEFAULT nextval('audit_ids'),
    logged_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    object VARCHAR,
    file_name VARCHAR,
    checksum VARCHAR,
    n_rows INTEGER,
    details VARCHAR
);
