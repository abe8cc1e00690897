// Package migrations holds the SQL schema migrations of both stores, applied
// in order by goose at start and by `tenantdesk migrate`: sqlite/ for the
// embedded file, postgres/ for PostgreSQL. A change to the schema is a file
// in each directory under the same version number, with the same meaning
// (the tables, keys, uniqueness and cascades the store relies on).
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

//go:embed postgres/*.sql
var postgresFiles embed.FS

// SQLite holds the SQLite migrations, embedded so the binary carries its schema.
var SQLite = mustSub(sqliteFiles, "sqlite")

// Postgres holds the PostgreSQL migrations.
var Postgres = mustSub(postgresFiles, "postgres")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
