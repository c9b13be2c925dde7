DROP TABLE bot_keyboards;
