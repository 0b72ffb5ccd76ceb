CREATE EXTERNAL SCHEMA IF NOT EXISTS "spectrum" FROM DATA CATALOG DATABASE 'eventlake' IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-spectrum';

CREATE SCHEMA IF NOT EXISTS "gold";

CREATE TABLE IF NOT EXISTS "gold"."dim_date" ("date_key" INTEGER NOT NULL, "date" DATE NOT NULL, "year" SMALLINT NOT NULL, "quarter" SMALLINT NOT NULL, "month" SMALLINT NOT NULL, "day" SMALLINT NOT NULL, "day_of_week" SMALLINT NOT NULL, "is_weekend" BOOLEAN NOT NULL, PRIMARY KEY ("date_key")) DISTSTYLE ALL;

CREATE TABLE IF NOT EXISTS "gold"."dim_repo" ("repo_id" BIGINT NOT NULL, "repo_name" VARCHAR(1024) NOT NULL, "owner_login" VARCHAR(1024), "first_seen" TIMESTAMP, "last_seen" TIMESTAMP, PRIMARY KEY ("repo_id")) DISTSTYLE ALL;

CREATE TABLE IF NOT EXISTS "gold"."dim_user" ("user_id" BIGINT NOT NULL, "login" VARCHAR(1024) NOT NULL, "first_seen" TIMESTAMP, "last_seen" TIMESTAMP, "is_bot" BOOLEAN, PRIMARY KEY ("user_id")) DISTSTYLE ALL;

CREATE TABLE IF NOT EXISTS "gold"."fact_events" ("dt" DATE NOT NULL, "repo_id" BIGINT NOT NULL, "user_id" BIGINT NOT NULL, "event_type" VARCHAR(1024) NOT NULL, "event_count" BIGINT NOT NULL, PRIMARY KEY ("dt", "repo_id", "user_id", "event_type")) DISTKEY("repo_id") SORTKEY("dt");

CREATE TABLE IF NOT EXISTS "gold"."daily_events" ("dt" DATE NOT NULL, "event_date" DATE NOT NULL, "event_type" VARCHAR(1024) NOT NULL, "platform" VARCHAR(1024) NOT NULL, "country" VARCHAR(1024) NOT NULL, "event_count" BIGINT NOT NULL, "user_count" BIGINT NOT NULL, PRIMARY KEY ("dt", "event_type", "platform", "country")) DISTSTYLE ALL SORTKEY("dt");

CREATE TABLE IF NOT EXISTS "gold"."daily_active_users" ("dt" DATE NOT NULL, "event_date" DATE NOT NULL, "active_users" BIGINT NOT NULL, "active_devices" BIGINT NOT NULL, "event_count" BIGINT NOT NULL, PRIMARY KEY ("dt")) DISTSTYLE ALL SORTKEY("dt");

DELETE FROM "gold"."dim_date";

INSERT INTO "gold"."dim_date" ("date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend") SELECT "date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend" FROM "spectrum"."github_dim_date";

DELETE FROM "gold"."dim_repo";

INSERT INTO "gold"."dim_repo" ("repo_id", "repo_name", "owner_login", "first_seen", "last_seen") SELECT "repo_id", "repo_name", "owner_login", "first_seen", "last_seen" FROM "spectrum"."github_dim_repo";

DELETE FROM "gold"."dim_user";

INSERT INTO "gold"."dim_user" ("user_id", "login", "first_seen", "last_seen", "is_bot") SELECT "user_id", "login", "first_seen", "last_seen", "is_bot" FROM "spectrum"."github_dim_user";

DELETE FROM "gold"."fact_events" WHERE "dt" = '2026-11-01';

INSERT INTO "gold"."fact_events" ("dt", "repo_id", "user_id", "event_type", "event_count") SELECT CAST("dt" AS DATE), "repo_id", "user_id", "event_type", "event_count" FROM "spectrum"."github_fact_events" WHERE "dt" = '2026-11-01';

DELETE FROM "gold"."daily_events" WHERE "dt" = '2026-11-01';

INSERT INTO "gold"."daily_events" ("dt", "event_date", "event_type", "platform", "country", "event_count", "user_count") SELECT CAST("dt" AS DATE), "event_date", "event_type", "platform", "country", "event_count", "user_count" FROM "spectrum"."amplitude_daily_events" WHERE "dt" = '2026-11-01';

DELETE FROM "gold"."daily_active_users" WHERE "dt" = '2026-11-01';

INSERT INTO "gold"."daily_active_users" ("dt", "event_date", "active_users", "active_devices", "event_count") SELECT CAST("dt" AS DATE), "event_date", "active_users", "active_devices", "event_count" FROM "spectrum"."amplitude_daily_active_users" WHERE "dt" = '2026-11-01';
