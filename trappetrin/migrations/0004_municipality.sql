-- Migration 4: schema version 3 -> 4. Shipped: never edit, add a new file.
-- the municipality of each department, so one database can hold many
-- municipalities. NULL means the default municipality (DEFAULT_MUNICIPALITY), so existing
-- databases and departments imported without one stay Aalborg's.
ALTER TABLE departments ADD COLUMN municipality VARCHAR;
