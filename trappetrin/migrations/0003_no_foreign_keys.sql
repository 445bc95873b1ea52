-- Migration 3: schema version 2 -> 3. Shipped: never edit, add a new file.
-- DuckDB checks foreign keys eagerly, so a transaction cannot delete
-- child rows and then their parent (deleting a release with its values, restoring a backup).
-- Rebuild the referencing tables without FOREIGN KEY clauses (keys, checks and defaults stay;
-- the importer validates references before writing), and add the geometry and mapping tables.
CREATE TABLE organisations_v3 (org_no INTEGER PRIMARY KEY, name VARCHAR NOT NULL);
INSERT INTO organisations_v3 SELECT org_no, name FROM organisations;
CREATE TABLE departments_v3 (
    dept_id VARCHAR PRIMARY KEY,
    org_no INTEGER NOT NULL,
    dept_no INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    neighbourhood VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    family_dwellings INTEGER NOT NULL CHECK (family_dwellings >= 0),
    bab_dwellings INTEGER NOT NULL DEFAULT 0 CHECK (bab_dwellings >= 0),
    dwellings_le_3500 INTEGER CHECK (dwellings_le_3500 >= 0),
    dwellings_3500_5000 INTEGER CHECK (dwellings_3500_5000 >= 0),
    dwellings_gt_5000 INTEGER CHECK (dwellings_gt_5000 >= 0),
    year_built INTEGER
);
INSERT INTO departments_v3 SELECT dept_id, org_no, dept_no, name, neighbourhood, lat, lon, family_dwellings,
    bab_dwellings, dwellings_le_3500, dwellings_3500_5000, dwellings_gt_5000, year_built FROM departments;
CREATE TABLE areas_v3 (
    area_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('ministeriel', 'lokal'))
);
INSERT INTO areas_v3 SELECT area_id, name, kind FROM areas;
CREATE TABLE department_areas_v3 (
    dept_id VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL,
    PRIMARY KEY (dept_id, area_id)
);
INSERT INTO department_areas_v3 SELECT dept_id, area_id FROM department_areas;
CREATE TABLE releases_v3 (
    release_id INTEGER PRIMARY KEY DEFAULT nextval('release_ids'),
    label VARCHAR NOT NULL UNIQUE,
    source VARCHAR NOT NULL CHECK (source IN ('Tvillingeværktøj', 'Beboerdata', 'Ministerliste', 'Stamdata')),
    reference_date DATE NOT NULL,
    list_year INTEGER,
    n_values INTEGER NOT NULL DEFAULT 0,
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL,
    file_name VARCHAR,
    checksum VARCHAR
);
INSERT INTO releases_v3 SELECT release_id, label, source, reference_date, list_year, n_values, imported_at,
    imported_by, file_name, checksum FROM releases;
CREATE TABLE area_list_status_v3 (
    list_year INTEGER NOT NULL,
    area_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('forebyggelse', 'udsat', 'parallelsamfund', 'omdannelse')),
    release_id INTEGER,
    PRIMARY KEY (list_year, area_id)
);
INSERT INTO area_list_status_v3 SELECT list_year, area_id, status, release_id FROM area_list_status;
CREATE TABLE list_years_v3 (list_year INTEGER PRIMARY KEY, release_id INTEGER);
INSERT INTO list_years_v3 SELECT list_year, release_id FROM list_years;
CREATE TABLE indicators_v3 (
    code VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    denominator VARCHAR NOT NULL,
    better VARCHAR NOT NULL
);
INSERT INTO indicators_v3 SELECT code, label, unit, denominator, better FROM indicators;
CREATE TABLE indicator_values_v3 (
    release_id INTEGER NOT NULL,
    dept_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    value DOUBLE,
    PRIMARY KEY (release_id, dept_id, indicator)
);
INSERT INTO indicator_values_v3 SELECT release_id, dept_id, indicator, value FROM indicator_values;
DROP TABLE indicator_values;
DROP TABLE area_list_status;
DROP TABLE list_years;
DROP TABLE department_areas;
DROP TABLE departments;
DROP TABLE releases;
DROP TABLE areas;
DROP TABLE indicators;
DROP TABLE organisations;
ALTER TABLE organisations_v3 RENAME TO organisations;
ALTER TABLE departments_v3 RENAME TO departments;
ALTER TABLE areas_v3 RENAME TO areas;
ALTER TABLE department_areas_v3 RENAME TO department_areas;
ALTER TABLE releases_v3 RENAME TO releases;
ALTER TABLE area_list_status_v3 RENAME TO area_list_status;
ALTER TABLE list_years_v3 RENAME TO list_years;
ALTER TABLE indicators_v3 RENAME TO indicators;
ALTER TABLE indicator_values_v3 RENAME TO indicator_values;
CREATE TABLE geometries (
    geom_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ('kommunegraense', 'afdeling')),
    dept_id VARCHAR,
    name VARCHAR,
    geojson VARCHAR NOT NULL,
    source_crs VARCHAR,
    file_name VARCHAR,
    checksum VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL
);
CREATE TABLE saved_mappings (
    kind VARCHAR NOT NULL,
    headers VARCHAR NOT NULL,
    mapping VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, headers)
);
