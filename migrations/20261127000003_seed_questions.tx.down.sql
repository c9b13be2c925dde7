-- Removes the seed questions unless a game has used them (then they stay, as results need them).
DELETE FROM used_questions WHERE question_id IN (SELECT id FROM questions WHERE author = 'Команда chgkbot');
DELETE FROM questions WHERE author = 'Команда chgkbot' AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.question_id = questions.id)
    AND NOT EXISTS (SELECT 1 FROM games g WHERE questions.id = ANY (g.question_ids));
DELETE FROM packs p WHERE name IN ('Разминка', 'Наука и техника', 'История и география', 'Язык и литература') AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.pack_id = p.id);
