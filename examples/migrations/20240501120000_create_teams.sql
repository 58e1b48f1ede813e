-- up
CREATE TABLE teams (
  id BIGINT PRIMARY KEY,
  name VARCHAR(100) NOT NULL
);
INSERT INTO teams (id, name) VALUES (1, 'Red'), (2, 'Blue');

-- down
DROP TABLE teams;
