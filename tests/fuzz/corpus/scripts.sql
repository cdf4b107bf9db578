-- a; comment
CREATE TABLE "a;b" (c text DEFAULT 'x;y' /* z; */);
SELECT E'it\'s; fine', 'it''s; fine', U&'d;';
CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;
DO $$ BEGIN PERFORM 1; END $$;
CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT a; END;
/* nested /* comment; */ still; */ SELECT 1;
CREATE INDEX CONCURRENTLY i ON t (a);
SELECT $1, a$b$c, $tag$ ; $tag$;
