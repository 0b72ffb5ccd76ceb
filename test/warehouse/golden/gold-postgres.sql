CREATE SCHEMA IF NOT EXISTS "gold";

CREATE TABLE IF NOT EXISTS "gold"."dim_date" (
  "date_key" integer NOT NULL,
  "date" date NOT NULL,
  "year" smallint NOT NULL,
  "quarter" smallint NOT NULL,
  "month" smallint NOT NULL,
  "day" smallint NOT NULL,
  "day_of_week" smallint NOT NULL,
  "is_weekend" boolean NOT NULL,
  PRIMARY KEY ("date_key")
);

CREATE TABLE IF NOT EXISTS "gold"."dim_date" (
  "date_key" integer NOT NULL,
  "date" date NOT NULL,
  "year" smallint NOT NULL,
  "quarter" smallint NOT NULL,
  "month" smallint NOT NULL,
  "day" smallint NOT NULL,
  "day_of_week" smallint NOT NULL,
  "is_weekend" boolean NOT NULL,
  PRIMARY KEY ("date_key")
);

COPY "gold"."dim_date" ("date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend") FROM STDIN WITH (FORMAT csv, NULL '\N');

CREATE TEMP TABLE "stage_dim_date" (LIKE "gold"."dim_date" INCLUDING DEFAULTS) ON COMMIT DROP;

INSERT INTO "gold"."dim_date" AS "dim_date" ("date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend")
SELECT "date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend" FROM "stage_dim_date"
ON CONFLICT ("date_key") DO UPDATE SET "date" = EXCLUDED."date", "year" = EXCLUDED."year", "quarter" = EXCLUDED."quarter", "month" = EXCLUDED."month", "day" = EXCLUDED."day", "day_of_week" = EXCLUDED."day_of_week", "is_weekend" = EXCLUDED."is_weekend";

CREATE TABLE IF NOT EXISTS "gold"."dim_repo" (
  "repo_id" bigint NOT NULL,
  "repo_name" text NOT NULL,
  "owner_login" text,
  "first_seen" timestamp,
  "last_seen" timestamp,
  PRIMARY KEY ("repo_id")
);

CREATE TABLE IF NOT EXISTS "gold"."dim_repo" (
  "repo_id" bigint NOT NULL,
  "repo_name" text NOT NULL,
  "owner_login" text,
  "first_seen" timestamp,
  "last_seen" timestamp,
  PRIMARY KEY ("repo_id")
);

CREATE INDEX IF NOT EXISTS "dim_repo_owner_login_idx" ON "gold"."dim_repo" ("owner_login");

COPY "gold"."dim_repo" ("repo_id", "repo_name", "owner_login", "first_seen", "last_seen") FROM STDIN WITH (FORMAT csv, NULL '\N');

CREATE TEMP TABLE "stage_dim_repo" (LIKE "gold"."dim_repo" INCLUDING DEFAULTS) ON COMMIT DROP;

INSERT INTO "gold"."dim_repo" AS "dim_repo" ("repo_id", "repo_name", "owner_login", "first_seen", "last_seen")
SELECT "repo_id", "repo_name", "owner_login", "first_seen", "last_seen" FROM "stage_dim_repo"
ON CONFLICT ("repo_id") DO UPDATE SET "repo_name" = EXCLUDED."repo_name", "owner_login" = EXCLUDED."owner_login", "first_seen" = LEAST("dim_repo"."first_seen", EXCLUDED."first_seen"), "last_seen" = GREATEST("dim_repo"."last_seen", EXCLUDED."last_seen");

CREATE TABLE IF NOT EXISTS "gold"."dim_user" (
  "user_id" bigint NOT NULL,
  "login" text NOT NULL,
  "first_seen" timestamp,
  "last_seen" timestamp,
  "is_bot" boolean,
  PRIMARY KEY ("user_id")
);

CREATE TABLE IF NOT EXISTS "gold"."dim_user" (
  "user_id" bigint NOT NULL,
  "login" text NOT NULL,
  "first_seen" timestamp,
  "last_seen" timestamp,
  "is_bot" boolean,
  PRIMARY KEY ("user_id")
);

COPY "gold"."dim_user" ("user_id", "login", "first_seen", "last_seen", "is_bot") FROM STDIN WITH (FORMAT csv, NULL '\N');

CREATE TEMP TABLE "stage_dim_user" (LIKE "gold"."dim_user" INCLUDING DEFAULTS) ON COMMIT DROP;

INSERT INTO "gold"."dim_user" AS "dim_user" ("user_id", "login", "first_seen", "last_seen", "is_bot")
SELECT "user_id", "login", "first_seen", "last_seen", "is_bot" FROM "stage_dim_user"
ON CONFLICT ("user_id") DO UPDATE SET "login" = EXCLUDED."login", "first_seen" = LEAST("dim_user"."first_seen", EXCLUDED."first_seen"), "last_seen" = GREATEST("dim_user"."last_seen", EXCLUDED."last_seen"), "is_bot" = EXCLUDED."is_bot";

CREATE TABLE IF NOT EXISTS "gold"."fact_events" (
  "dt" date NOT NULL,
  "repo_id" bigint NOT NULL,
  "user_id" bigint NOT NULL,
  "event_type" text NOT NULL,
  "event_count" bigint NOT NULL,
  PRIMARY KEY ("dt", "repo_id", "user_id", "event_type")
) PARTITION BY LIST ("dt");

CREATE TABLE IF NOT EXISTS "gold"."fact_events" (
  "dt" date NOT NULL,
  "repo_id" bigint NOT NULL,
  "user_id" bigint NOT NULL,
  "event_type" text NOT NULL,
  "event_count" bigint NOT NULL,
  PRIMARY KEY ("dt", "repo_id", "user_id", "event_type")
);

CREATE INDEX IF NOT EXISTS "fact_events_repo_id_dt_idx" ON "gold"."fact_events" ("repo_id", "dt");

CREATE INDEX IF NOT EXISTS "fact_events_user_id_idx" ON "gold"."fact_events" ("user_id");

CREATE INDEX IF NOT EXISTS "fact_events_event_type_dt_idx" ON "gold"."fact_events" ("event_type", "dt");

COPY "gold"."fact_events" ("dt", "repo_id", "user_id", "event_type", "event_count") FROM STDIN WITH (FORMAT csv, NULL '\N');

CREATE TABLE IF NOT EXISTS "gold"."daily_events" (
  "dt" date NOT NULL,
  "event_date" date NOT NULL,
  "event_type" text NOT NULL,
  "platform" text NOT NULL,
  "country" text NOT NULL,
  "event_count" bigint NOT NULL,
  "user_count" bigint NOT NULL,
  PRIMARY KEY ("dt", "event_type", "platform", "country")
) PARTITION BY LIST ("dt");

CREATE TABLE IF NOT EXISTS "gold"."daily_events" (
  "dt" date NOT NULL,
  "event_date" date NOT NULL,
  "event_type" text NOT NULL,
  "platform" text NOT NULL,
  "country" text NOT NULL,
  "event_count" bigint NOT NULL,
  "user_count" bigint NOT NULL,
  PRIMARY KEY ("dt", "event_type", "platform", "country")
);

CREATE INDEX IF NOT EXISTS "daily_events_event_type_dt_idx" ON "gold"."daily_events" ("event_type", "dt");

COPY "gold"."daily_events" ("dt", "event_date", "event_type", "platform", "country", "event_count", "user_count") FROM STDIN WITH (FORMAT csv, NULL '\N');

CREATE TABLE IF NOT EXISTS "gold"."daily_active_users" (
  "dt" date NOT NULL,
  "event_date" date NOT NULL,
  "active_users" bigint NOT NULL,
  "active_devices" bigint NOT NULL,
  "event_count" bigint NOT NULL,
  PRIMARY KEY ("dt")
) PARTITION BY LIST ("dt");

CREATE TABLE IF NOT EXISTS "gold"."daily_active_users" (
  "dt" date NOT NULL,
  "event_date" date NOT NULL,
  "active_users" bigint NOT NULL,
  "active_devices" bigint NOT NULL,
  "event_count" bigint NOT NULL,
  PRIMARY KEY ("dt")
);

COPY "gold"."daily_active_users" ("dt", "event_date", "active_users", "active_devices", "event_count") FROM STDIN WITH (FORMAT csv, NULL '\N');
