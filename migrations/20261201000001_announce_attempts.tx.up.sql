-- The first attempt to send each message that opens a phase, recorded
-- before the send: after a crash between VK's answer and the delivery
-- report, the resend can tell that the message may have arrived already
-- (and asks VK when). A row lives until its delivery is reported.
CREATE TABLE announce_attempts (
    key        text PRIMARY KEY,
    first_at   timestamptz NOT NULL
);
