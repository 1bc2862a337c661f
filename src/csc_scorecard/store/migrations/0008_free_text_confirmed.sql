-- who confirmed that commentary or action text which looks as if it may identify a child does not, and when

ALTER TABLE commentary ADD COLUMN confirmed_by VARCHAR;
ALTER TABLE commentary ADD COLUMN confirmed_at TIMESTAMP;
ALTER TABLE actions ADD COLUMN confirmed_by VARCHAR;
ALTER TABLE actions ADD COLUMN confirmed_at TIMESTAMP;
