package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// MailRetention is how long delivered or abandoned emails and dead
// single-use links are kept. Pending mail is never purged, and a link that
// expired recently keeps its row so that following it still says "expired,
// send a new one" rather than "not valid".
const MailRetention = 30 * 24 * time.Hour

// PurgeMail deletes, as of db.Now, outbox messages sent or given up more
// than MailRetention ago (never pending ones) and links (user_tokens) that
// expired or were used more than MailRetention ago. It returns how many
// messages and links it deleted; the janitor calls it (cmd/tenantdesk).
func (db *DB) PurgeMail(ctx context.Context) (mails, links int64, err error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	cutoff := ms(tx.now.Add(-MailRetention))
	res, err := tx.ExecContext(ctx, `DELETE FROM mail_outbox WHERE sent_at <= ?1 OR failed_at <= ?1`, cutoff)
	if err != nil {
		return 0, 0, fmt.Errorf("store: purge mail: %w", err)
	}
	mails, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM user_tokens WHERE expires_at <= ?1 OR used_at <= ?1`, cutoff)
	if err != nil {
		return 0, 0, fmt.Errorf("store: purge links: %w", err)
	}
	links, _ = res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	return mails, links, nil
}
