-- A MySQL-native hostile database: every type at its limits, latin1 text
-- (é and CP1252's smart quotes), 4-byte UTF-8, zero and partial dates,
-- names holding a backtick and quotes, self-referencing and cyclic foreign
-- keys, an empty table, an AUTO_INCREMENT table whose last rows were
-- deleted. Loaded with `mariadb DB < my_hostile.sql` (tests/e2e/test_mysql.py).
SET NAMES utf8mb4;
SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO';
SET SESSION time_zone = '+00:00';
SET SESSION foreign_key_checks = 0;

CREATE TABLE types (
  id int NOT NULL PRIMARY KEY,
  ti tinyint, tu tinyint unsigned, si smallint, su smallint unsigned,
  mi mediumint, mu mediumint unsigned, i int, iu int unsigned,
  bi bigint, bu bigint unsigned, flag tinyint(1),
  d65 decimal(65,30), d5 decimal(5,2),
  f float, dbl double,
  b1 bit(1), b64 bit(64),
  c char(5), vc varchar(300), tx text, mt mediumtext,
  bn binary(4), vb varbinary(20), bl blob,
  dt date, tm time(6), dtm datetime(6), ts timestamp(6) NULL DEFAULT NULL, yr year,
  e enum('small','medium','large'), st set('a','b','c'),
  j json
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO types VALUES
 (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
  9223372036854775807, 18446744073709551615, 1,
  99999999999999999999999999999999999.999999999999999999999999999999, 999.99,
  3.4028234e38, 1.7976931348623157e308,
  b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
  'abc', 'trailing spaces   ', 'text \N with \\ and ''quote''', '😀🔩 four-byte',
  X'00FF0009', X'0A0D5C4E0009', X'',
  '9999-12-31', '838:59:59.999999', '9999-12-31 23:59:59.999999',
  '2038-01-19 03:14:07.999999', 2155, 'large', 'a,c', '{"k": [1, "ü", null], "a": 2.50}'),
 (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,
  -9223372036854775808, 0, 0,
  -99999999999999999999999999999999999.999999999999999999999999999999, -999.99,
  -1.17549435e-38, 4.9e-324,
  b'0', b'0', '', '', '', '', X'00000000', X'', X'00',
  '1000-01-01', '-838:59:59.999999', '1000-01-01 00:00:00.000000',
  '1970-01-01 00:00:01.000000', 1901, 'small', '', '[]'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2,
  0.000000000000000000000000000001, 0.01, 0.1, 0.30000000000000004,
  NULL, b'1010', 'NULL', '\N', CONCAT('tab', CHAR(9), 'nl', CHAR(10), 'cr', CHAR(13), 'nul',
  CHAR(0), 'end'), NULL, NULL, NULL, NULL,
  '0000-00-00', '-00:00:00.000001', '0000-00-00 00:00:00.000000', NULL, 0, NULL, NULL,
  NULL),
 (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9223372036854775808, NULL,
  NULL, NULL, 16777217, -0.5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '2026-00-10', '00:00:00', '2026-03-00 12:00:00.5', '2026-03-29 01:30:00', 2026, 'medium',
  'b', '"a string"');

-- latin1 columns: the server stores what CP1252 makes of the UTF-8 sent
CREATE TABLE legacy (
  id int NOT NULL PRIMARY KEY,
  name varchar(60) CHARACTER SET latin1,
  note text CHARACTER SET latin1,
  utf3 varchar(40) CHARACTER SET utf8mb3
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO legacy VALUES
 (1, 'café', '“smart quotes” – dash … €', 'ß and ü'),
 (2, 'plain ascii', '', NULL),
 (3, NULL, 'Ægir Ørsted', 'naïve');

-- a table and a column whose names hold a backtick and both quotes
CREATE TABLE `we``ird 'name"` (
  `col``umn 'x"` int NOT NULL PRIMARY KEY,
  `v` varchar(10)
) ENGINE=InnoDB;
INSERT INTO `we``ird 'name"` VALUES (1, 'one'), (2, 'two');

-- self-reference (children before their parent in key order) and a cycle
CREATE TABLE tree (
  id int NOT NULL PRIMARY KEY,
  parent int,
  name varchar(20) NOT NULL,
  CONSTRAINT tree_parent FOREIGN KEY (parent) REFERENCES tree (id) ON DELETE CASCADE
) ENGINE=InnoDB;
INSERT INTO tree VALUES (1, 3, 'leaf a'), (2, 3, 'leaf b'), (3, NULL, 'root');

CREATE TABLE cyc_a (id int NOT NULL PRIMARY KEY, b_id int, KEY (b_id)) ENGINE=InnoDB;
CREATE TABLE cyc_b (id int NOT NULL PRIMARY KEY, a_id int NOT NULL,
  CONSTRAINT cyc_b_a FOREIGN KEY (a_id) REFERENCES cyc_a (id) ON UPDATE CASCADE) ENGINE=InnoDB;
ALTER TABLE cyc_a ADD CONSTRAINT cyc_a_b FOREIGN KEY (b_id) REFERENCES cyc_b (id) ON DELETE SET NULL;
INSERT INTO cyc_a VALUES (1, 10), (2, NULL);
INSERT INTO cyc_b VALUES (10, 1), (20, 2);

CREATE TABLE empty_one (id int NOT NULL PRIMARY KEY, v text) ENGINE=InnoDB;

-- AUTO_INCREMENT ahead of the rows: the next id is 6, not 4
CREATE TABLE ahead (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code varchar(20) NOT NULL,
  qty int NOT NULL DEFAULT 0,
  created datetime DEFAULT current_timestamp(),
  UNIQUE KEY ahead_code (code),
  KEY ahead_qty (qty)
) ENGINE=InnoDB;
INSERT INTO ahead (code, qty) VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5);
UPDATE ahead SET created = '2026-01-01 00:00:00';
DELETE FROM ahead WHERE id > 3;

-- what MySQL stores outside strict mode for an invalid enum value: ''
CREATE TABLE bad_enum (id int NOT NULL PRIMARY KEY, size enum('S','M','L')) ENGINE=InnoDB;
SET SESSION sql_mode = '';
INSERT INTO bad_enum VALUES (1, 'M'), (2, 'XXL');
SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO';

CREATE VIEW tree_names AS SELECT name FROM tree;
