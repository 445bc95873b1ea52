-- Migration 1: schema version 0 -> 1. Shipped: never edit, add a new file.
CREATE TABLE organisations (
    org_no INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL
);
CREATE TABLE departments (
    dept_id VARCHAR PRIMARY KEY,
    org_no INTEGER NOT NULL REFERENCES organisations (org_no),
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
CREATE TABLE areas (
    area_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('ministeriel', 'lokal'))
);
CREATE TABLE department_areas (
    dept_id VARCHAR NOT NULL REFERENCES departments (dept_id),
    area_id VARCHAR NOT NULL REFERENCES areas (area_id),
    PRIMARY KEY (dept_id, area_id)
);
CREATE SEQUENCE release_ids START 1;
CREATE TABLE releases (
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
CREATE TABLE area_list_status (
    list_year INTEGER NOT NULL,
    area_id VARCHAR NOT NULL REFERENCES areas (area_id),
    status VARCHAR NOT NULL CHECK (status IN ('forebyggelse', 'udsat', 'parallelsamfund', 'omdannelse')),
    release_id INTEGER REFERENCES releases (release_id),
    PRIMARY KEY (list_year, area_id)
);
CREATE TABLE list_years (
    list_year INTEGER PRIMARY KEY,
    release_id INTEGER REFERENCES releases (release_id)
);
CREATE TABLE indicators (
    code VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    denominator VARCHAR NOT NULL,
    better VARCHAR NOT NULL
);
CREATE TABLE indicator_values (
    release_id INTEGER NOT NULL REFERENCES releases (release_id),
    dept_id VARCHAR NOT NULL REFERENCES departments (dept_id),
    indicator VARCHAR NOT NULL REFERENCES indicators (code),
    value DOUBLE,
    PRIMARY KEY (release_id, dept_id, indicator)
);
CREATE TABLE rule_sets (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    title VARCHAR NOT NULL,
    toml VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    adopted BOOLEAN NOT NULL DEFAULT false,
    adopted_at TIMESTAMP,
    adopted_by VARCHAR,
    PRIMARY KEY (name, version)
);
CREATE TABLE reference_values (
    name VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    note VARCHAR,
    PRIMARY KEY (name, year)
);
CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
