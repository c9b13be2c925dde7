DROP TABLE appeal_buttons;
ALTER TABLE rounds DROP COLUMN appealed;
DROP TABLE appeals;
