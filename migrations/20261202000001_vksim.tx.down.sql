DROP TABLE vksim_events;
DROP TABLE vksim_messages;
DROP TABLE vksim_chats;
DROP TABLE vksim_users;
