-- A store as tern wrote it at schema version 1 (before REQUIRETLS and
-- downgrade facts, the list glyph column and the servers table).  The
-- migration test opens it with the current tern.
CREATE TABLE contacts (  id INTEGER PRIMARY KEY,  address TEXT NOT NULL,  akey TEXT NOT NULL UNIQUE,  name TEXT, policy TEXT, notes TEXT,  created INTEGER NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE messages (  id INTEGER PRIMARY KEY,  state INTEGER NOT NULL,  created INTEGER NOT NULL, updated INTEGER NOT NULL,  env_from TEXT, rcpts TEXT, subject TEXT, text BLOB,  d_to TEXT, d_cc TEXT, d_bcc TEXT, d_body TEXT);
CREATE INDEX messages_by_state ON messages(state, updated);
CREATE TABLE recipients (  id INTEGER PRIMARY KEY,  message_id INTEGER NOT NULL REFERENCES messages(id)    ON DELETE CASCADE,  address TEXT NOT NULL,  status INTEGER NOT NULL,  claim_pid INTEGER, claim_host TEXT, claim_time INTEGER,  UNIQUE(message_id, address));
CREATE INDEX recipients_by_status ON recipients(status, message_id);
CREATE TABLE deliveries (  id INTEGER PRIMARY KEY,  recipient_id INTEGER NOT NULL REFERENCES recipients(id)    ON DELETE CASCADE,  message_id INTEGER NOT NULL,  time INTEGER NOT NULL, outcome TEXT NOT NULL,  policy TEXT, policy_source TEXT, reason TEXT,  server TEXT, address TEXT, port INTEGER,  tls_version TEXT, cipher TEXT, cert_subject TEXT,  cert_issuer TEXT, cert_sha256 TEXT, cert_expires TEXT,  verified INTEGER, verify TEXT, code INTEGER, reply TEXT);
CREATE INDEX deliveries_by_message ON deliveries(message_id);

INSERT INTO contacts VALUES (1, 'bob@example.net', 'bob@example.net', 'Bob', 'encrypt', NULL, 1700000000, 1700000000);
INSERT INTO messages VALUES (1, 2, 1700000000, 1700000100, 'alice@example.org', 'bob@example.net', 'old sent', CAST('Subject: old sent' || char(13,10,13,10) || 'hi' AS BLOB), NULL, NULL, NULL, NULL);
INSERT INTO messages VALUES (2, 1, 1700000200, 1700000300, 'alice@example.org', 'carol@example.net', 'old held', CAST('Subject: old held' || char(13,10,13,10) || 'hi' AS BLOB), NULL, NULL, NULL, NULL);
INSERT INTO recipients VALUES (1, 1, 'bob@example.net', 2, NULL, NULL, NULL);
INSERT INTO recipients VALUES (2, 2, 'carol@example.net', 0, NULL, NULL, NULL);
INSERT INTO deliveries VALUES (1, 1, 1, 1700000100, 'verified', 'encrypt', 'contact', NULL, 'mx.example.net', '192.0.2.1', 25, 'TLS1.3', 'TLS_AES_256_GCM_SHA384', 'CN=mx.example.net', 'CN=Test CA', 'AA:BB', '2030-01-01T00:00:00Z', 1, 'verified', 250, '250 ok');
INSERT INTO deliveries VALUES (2, 2, 2, 1700000300, 'held', 'verify', 'domain', 'no STARTTLS', 'mx.example.net', '192.0.2.1', 25, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
PRAGMA user_version = 1;
PRAGMA application_id = 1952805486;
