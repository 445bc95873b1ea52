-- Migration 6: schema version 5 -> 6. Shipped: never edit, add a new file.
-- (followup, issue 18) the agreement's follow-up data (§7.2), one table for the four kinds
-- (see trappetrin.followup_spec.FOLLOWUP_KINDS). Periods are [period_start, period_end]; a dwelling
-- row has both equal to its date and count 1. No foreign keys (see migration 3); the importer checks.
CREATE SEQUENCE followup_ids START 1;
CREATE TABLE followup_rows (
    row_id INTEGER PRIMARY KEY DEFAULT nextval('followup_ids'),
    kind VARCHAR NOT NULL CHECK (kind IN ('fleksibel', 'indmeldt', 'anvist', 'fogedsag')),
    org_no INTEGER NOT NULL,
    dept_id VARCHAR,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    criterion VARCHAR,
    count INTEGER NOT NULL CHECK (count >= 0),
    rooms INTEGER CHECK (rooms > 0),
    area_m2 DOUBLE CHECK (area_m2 > 0),
    rent DOUBLE CHECK (rent >= 0),
    file_name VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL,
    CHECK (period_end >= period_start)
);
