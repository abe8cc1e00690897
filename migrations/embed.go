// Package migrations holds the SQL schema migrations, applied in order by
// goose at start and by `tenantdesk migrate`.
package migrations

import "embed"

// FS holds every migration file, embedded so the binary carries its schema.
//
//go:embed *.sql
var FS embed.FS
