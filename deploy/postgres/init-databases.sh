#!/bin/sh
# Runs once, on the first start of an empty PostgreSQL volume (docker-entrypoint-initdb.d):
# one role and one database per service, so no service can read another's tables.
# Passwords come from the environment (AUTH_DB_PASSWORD, ...), never from this file.
set -eu

create_service_database() {
    role="$1"
    password="$2"
    database="$3"
    # psql variables (:"ident", :'literal') quote the values, whatever characters they hold.
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set=role="$role" --set=password="$password" --set=database="$database" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
}

create_service_database auth "$AUTH_DB_PASSWORD" quest_auth
create_service_database catalog "$CATALOG_DB_PASSWORD" quest_catalog
create_service_database processing "$PROCESSING_DB_PASSWORD" quest_processing
