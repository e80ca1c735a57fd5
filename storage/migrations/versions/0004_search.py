"""full-text search index and the article-time index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 13:10:00

The search index (``article_search``) is kept in step with ``articles`` by triggers, so
every writer (repository upserts, reparse, a manual UPDATE) updates it without knowing it:

- SQLite: an FTS5 table (title, sapo, body) with ``unicode61 remove_diacritics 2``, which
  folds case and diacritics of NFC and NFD text but not đ: the triggers index đ as d.
- PostgreSQL: a ``tsvector`` per article (title A, sapo B, body C) with a GIN index, built
  with ``diplowatch_fold`` = lower(unaccent(normalize(text, NFC))), next to a copy of the
  article time and outlet (so that many matches are filtered and ordered by time without
  reading ``articles``). ``unaccent`` comes with postgresql-contrib (Debian: part of the
  ``postgresql`` package) and is a trusted extension: the database owner may create it.
  Needs a UTF8 database (``normalize``).

Both: an index on coalesce(published_at, first_seen_at), the article time that the digest
query and ``search --since`` filter on (storage.repository.article_time).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARTICLE_TIME = "coalesce(published_at, first_seen_at)"


def _sqlite_fold(expression: str) -> str:
    return "replace(replace(" + expression + ", 'đ', 'd'), 'Đ', 'D')"


def _sqlite_values(row: str) -> str:
    """id, title, sapo, body of ``row`` (new, old or the table) as the index stores them."""
    title = _sqlite_fold(row + ".title")
    sapo = _sqlite_fold("coalesce(" + row + ".sapo, '')")
    paragraphs = "(SELECT group_concat(value, char(10)) FROM json_each(" + row + ".paragraphs))"
    body = _sqlite_fold("coalesce(" + paragraphs + ", '')")
    return f"{row}.id, {title}, {sapo}, {body}"


SQLITE_UP = [
    """CREATE VIRTUAL TABLE article_search USING fts5(
        title, sapo, body, tokenize = "unicode61 remove_diacritics 2")""",
    f"""CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_search (rowid, title, sapo, body) VALUES ({_sqlite_values("new")});
    END""",
    f"""CREATE TRIGGER article_search_update AFTER UPDATE OF id, title, sapo, paragraphs
    ON articles WHEN old.id IS NOT new.id OR old.title IS NOT new.title
        OR old.sapo IS NOT new.sapo OR old.paragraphs IS NOT new.paragraphs BEGIN
        DELETE FROM article_search WHERE rowid = old.id;
        INSERT INTO article_search (rowid, title, sapo, body) VALUES ({_sqlite_values("new")});
    END""",
    """CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN
        DELETE FROM article_search WHERE rowid = old.id;
    END""",
    f"""INSERT INTO article_search (rowid, title, sapo, body)
        SELECT {_sqlite_values("articles")} FROM articles""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS article_search_delete",
    "DROP TRIGGER IF EXISTS article_search_update",
    "DROP TRIGGER IF EXISTS article_search_insert",
    "DROP TABLE IF EXISTS article_search",
]


def _postgresql_up(unaccent_schema: str) -> list[str]:
    unaccent = f'"{unaccent_schema}".unaccent'
    function = "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
    return [
        # Folded text: lowercase, no diacritics, đ as d; unaccent also drops the combining
        # marks of NFD text. (unaccent() itself is only STABLE: named dictionary, wrapped.)
        f"""CREATE OR REPLACE FUNCTION diplowatch_fold(text) RETURNS text {function}
        AS $$ SELECT lower({unaccent}('{unaccent}'::regdictionary, $1)) $$""",
        f"""CREATE OR REPLACE FUNCTION diplowatch_words(text) RETURNS text[] {function}
        AS $$ SELECT array_remove(regexp_split_to_array(diplowatch_fold($1), '[^[:alnum:]]+'), '')
        $$""",
        # Terms: the words, then every pair of adjacent words ("hoa ky"). Vietnamese words are
        # mostly two syllables: a phrase query looks its pairs up in the index, exactly.
        f"""CREATE OR REPLACE FUNCTION diplowatch_terms(words text[]) RETURNS text[] {function}
        AS $$ SELECT words || ARRAY(
            SELECT a || ' ' || b
            FROM unnest(words[1:cardinality(words) - 1], words[2:cardinality(words)]) AS u(a, b))
        $$""",
        f"""CREATE OR REPLACE FUNCTION diplowatch_weighted(terms text[], weight "char")
        RETURNS tsvector {function}
        AS $$ SELECT setweight(coalesce(
            (SELECT string_agg('''' || term || ''':' || least(i, 16383), ' ')
             FROM unnest(terms) WITH ORDINALITY AS u(term, i))::tsvector, ''), weight) $$""",
        # What ranks: the terms of the title (weight A) and of the lead (B).
        """CREATE OR REPLACE FUNCTION diplowatch_head(title text, sapo text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT
            diplowatch_weighted(diplowatch_terms(diplowatch_words(coalesce(title, ''))), 'A')
         || diplowatch_weighted(diplowatch_terms(diplowatch_words(coalesce(sapo, ''))), 'B') $$""",
        # What matches: every term of title, lead and body, without positions (GIN only).
        """CREATE OR REPLACE FUNCTION diplowatch_document(title text, sapo text, paragraphs json)
        RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT array_to_tsvector(diplowatch_terms(diplowatch_words(concat_ws(E'\\n',
            title, sapo,
            (SELECT string_agg(p, E'\\n') FROM json_array_elements_text(paragraphs) AS p)))))
        $$""",
        # Queries: all the words; a phrase (its adjacent pairs, or its only word); any term.
        f"""CREATE OR REPLACE FUNCTION diplowatch_all_words(text) RETURNS tsquery {function}
        AS $$ SELECT string_agg('''' || w || '''', ' & ')::tsquery
        FROM unnest(diplowatch_words($1)) AS w $$""",
        f"""CREATE OR REPLACE FUNCTION diplowatch_phrase(text) RETURNS tsquery {function}
        AS $$ SELECT string_agg('''' || t || '''', ' & ')::tsquery
        FROM (SELECT diplowatch_words($1) AS w) AS q,
             unnest(CASE WHEN cardinality(w) = 1 THEN w
                         ELSE (diplowatch_terms(w))[cardinality(w) + 1:] END) AS t $$""",
        f"""CREATE OR REPLACE FUNCTION diplowatch_any_term(text) RETURNS tsquery {function}
        AS $$ SELECT string_agg('''' || t || '''', ' | ')::tsquery
        FROM unnest(diplowatch_terms(diplowatch_words($1))) AS t $$""",
        # Narrow rows, both vectors in TOAST: many matches are filtered and ordered by time
        # quickly; the document is never read back (the GIN index answers exactly), the
        # head only for the matches that are ranked.
        """CREATE TABLE article_search (
            article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            at timestamptz NOT NULL,
            outlet_key varchar(64) NOT NULL,
            head tsvector NOT NULL,
            document tsvector NOT NULL
        ) WITH (toast_tuple_target = 128)""",
        """CREATE OR REPLACE FUNCTION diplowatch_article_search_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO article_search (article_id, at, outlet_key, head, document)
            VALUES (NEW.id, coalesce(NEW.published_at, NEW.first_seen_at), NEW.outlet_key,
                    diplowatch_head(NEW.title, NEW.sapo),
                    diplowatch_document(NEW.title, NEW.sapo, NEW.paragraphs))
            ON CONFLICT (article_id) DO UPDATE SET at = EXCLUDED.at,
                outlet_key = EXCLUDED.outlet_key, head = EXCLUDED.head,
                document = EXCLUDED.document;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER article_search_insert AFTER INSERT ON articles
        FOR EACH ROW EXECUTE FUNCTION diplowatch_article_search_sync()""",
        """CREATE TRIGGER article_search_update AFTER UPDATE ON articles
        FOR EACH ROW WHEN (
            OLD.title IS DISTINCT FROM NEW.title OR OLD.sapo IS DISTINCT FROM NEW.sapo
            OR OLD.paragraphs::text IS DISTINCT FROM NEW.paragraphs::text
            OR OLD.published_at IS DISTINCT FROM NEW.published_at
            OR OLD.first_seen_at IS DISTINCT FROM NEW.first_seen_at
            OR OLD.outlet_key IS DISTINCT FROM NEW.outlet_key OR OLD.id IS DISTINCT FROM NEW.id)
        EXECUTE FUNCTION diplowatch_article_search_sync()""",
        """INSERT INTO article_search (article_id, at, outlet_key, head, document)
        SELECT id, coalesce(published_at, first_seen_at), outlet_key,
               diplowatch_head(title, sapo), diplowatch_document(title, sapo, paragraphs)
        FROM articles""",
        "CREATE INDEX ix_article_search_document ON article_search USING gin (document)",
        "CREATE INDEX ix_article_search_at ON article_search (at)",
    ]


POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS article_search_update ON articles",
    "DROP TRIGGER IF EXISTS article_search_insert ON articles",
    "DROP FUNCTION IF EXISTS diplowatch_article_search_sync()",
    "DROP TABLE IF EXISTS article_search",
    "DROP FUNCTION IF EXISTS diplowatch_any_term(text)",
    "DROP FUNCTION IF EXISTS diplowatch_phrase(text)",
    "DROP FUNCTION IF EXISTS diplowatch_all_words(text)",
    "DROP FUNCTION IF EXISTS diplowatch_document(text, text, json)",
    "DROP FUNCTION IF EXISTS diplowatch_head(text, text)",
    'DROP FUNCTION IF EXISTS diplowatch_weighted(text[], "char")',
    "DROP FUNCTION IF EXISTS diplowatch_terms(text[])",
    "DROP FUNCTION IF EXISTS diplowatch_words(text)",
    "DROP FUNCTION IF EXISTS diplowatch_fold(text)",
]


def upgrade() -> None:
    op.create_index("ix_articles_article_time", "articles", [sa.text(ARTICLE_TIME)])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = SQLITE_UP
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = bind.execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension e"
                " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
            )
        ).scalar_one()
        statements = _postgresql_up(schema)
    else:
        raise RuntimeError(f"full-text search needs SQLite or PostgreSQL, not {bind.dialect.name}")
    for statement in statements:
        bind.exec_driver_sql(statement)  # as written: no bind-parameter parsing


def downgrade() -> None:
    bind = op.get_bind()
    statements = SQLITE_DOWN if bind.dialect.name == "sqlite" else POSTGRESQL_DOWN
    for statement in statements:
        bind.exec_driver_sql(statement)  # as written: no bind-parameter parsing
    op.drop_index("ix_articles_article_time", table_name="articles")
