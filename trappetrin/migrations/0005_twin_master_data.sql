-- Migration 5: schema version 4 -> 5. Shipped: never edit, add a new file.
-- the master data a twin search matches on, beside year_built and the dwelling
-- counts the register already has. All optional: a department without them has no twins.
-- The importer checks ranges and the location words (LOCATION_TYPES).
ALTER TABLE departments ADD COLUMN mean_m2 DOUBLE;
ALTER TABLE departments ADD COLUMN rent_per_m2 DOUBLE;
ALTER TABLE departments ADD COLUMN pct_family_dwellings DOUBLE;
ALTER TABLE departments ADD COLUMN location_type VARCHAR;
