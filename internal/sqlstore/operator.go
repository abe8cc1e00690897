package sqlstore

import (
	"context"
	"fmt"
	"os"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Backup writes a consistent copy of the whole database to path (SQLite's
// VACUUM INTO: a compact snapshot, taken while the portal keeps serving).
// It refuses to overwrite an existing file.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect == dialectPostgres {
		return tenantdesk.Errorf(tenantdesk.EINVALID, "The database is PostgreSQL: back it up with pg_dump or the server's own backups (docs/deploy.md).")
	}
	if _, err := os.Stat(path); err == nil {
		return tenantdesk.Errorf(tenantdesk.ECONFLICT, "%s exists already; choose a new file name.", path)
	}
	// On the writer: the readers are query_only, which VACUUM INTO refuses.
	// Writes wait while the snapshot is written.
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
