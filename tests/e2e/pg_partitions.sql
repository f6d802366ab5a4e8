-- A range-partitioned table (10 rows in 3 partitions, one the DEFAULT) and
-- an inheritance parent with 1 row of its own and 1 in its child.
CREATE TABLE measures (
    id integer NOT NULL,
    at date NOT NULL,
    v numeric(6,2) DEFAULT 0,
    CONSTRAINT measures_v_positive CHECK (v >= 0),
    CONSTRAINT measures_pk PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE measures_2024 PARTITION OF measures FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measures_2025 PARTITION OF measures FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measures_rest PARTITION OF measures DEFAULT;
CREATE INDEX measures_v ON measures (v);
INSERT INTO measures SELECT i, date '2024-03-01' + (i * 100), i FROM generate_series(1, 10) i;
CREATE TABLE animals (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
CREATE TABLE dogs (breed text, CONSTRAINT dogs_breed CHECK (breed <> '')) INHERITS (animals);
ALTER TABLE dogs ALTER COLUMN name SET DEFAULT 'rex';
INSERT INTO animals VALUES (1, 'cat');
INSERT INTO dogs VALUES (2, 'rex', 'collie');
