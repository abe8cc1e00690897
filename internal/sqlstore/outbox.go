package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// MailConfig configures the outbox. Set it before serving.
type MailConfig struct {
	// Notify, when set, is called after a transaction that queued mail has
	// committed, to wake the delivery worker (it also polls).
	Notify func()
}

// notifyMail wakes the delivery worker; call it after committing a
// transaction that queued mail.
func (db *DB) notifyMail() {
	if db.Mail.Notify != nil {
		db.Mail.Notify()
	}
}

// enqueueMail writes m to the outbox inside tx, due at once.
func (tx *Tx) enqueueMail(ctx context.Context, m *tenantdesk.MailMessage) error {
	m.CreatedAt, m.NextAttemptAt = tx.now, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO mail_outbox (account_id, to_addr, subject, body_text, kind, created_at, next_attempt_at)
		VALUES (?,?,?,?,?,?,?) RETURNING id`, nullInt(m.AccountID), m.To, m.Subject, m.BodyText, m.Kind, ms(m.CreatedAt), ms(m.NextAttemptAt)).
		Scan(&m.ID); err != nil {
		return fmt.Errorf("store: enqueue mail: %w", err)
	}
	tx.mailQueued = true
	return nil
}

const mailColumns = `id, COALESCE(account_id, 0), to_addr, subject, body_text, kind, created_at, attempts,
	next_attempt_at, COALESCE(sent_at, 0), COALESCE(failed_at, 0), last_error`

func scanMail(row interface{ Scan(...any) error }) (*tenantdesk.MailMessage, error) {
	m := &tenantdesk.MailMessage{}
	var created, next, sent, failed int64
	if err := row.Scan(&m.ID, &m.AccountID, &m.To, &m.Subject, &m.BodyText, &m.Kind, &created, &m.Attempts,
		&next, &sent, &failed, &m.LastError); err != nil {
		return nil, fmt.Errorf("store: scan mail: %w", err)
	}
	m.CreatedAt, m.NextAttemptAt, m.SentAt, m.FailedAt = fromMS(created), fromMS(next), fromMS(sent), fromMS(failed)
	return m, nil
}

func queryMail(ctx context.Context, q querier, query string, args ...any) ([]*tenantdesk.MailMessage, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list mail: %w", err)
	}
	defer rows.Close()
	var out []*tenantdesk.MailMessage
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ListMail returns the newest messages first, at most limit (1–500, default 100).
func (db *DB) ListMail(ctx context.Context, limit int) ([]*tenantdesk.MailMessage, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return queryMail(ctx, db.read, `SELECT `+mailColumns+` FROM mail_outbox ORDER BY id DESC LIMIT ?`, limit)
}

// ClaimMail returns up to limit messages due at now, oldest first, and
// counts an attempt for each. It also moves their next attempt to now+lease,
// so a worker that dies mid-send retries them after the lease instead of
// never, and a second worker does not take them meanwhile.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*tenantdesk.MailMessage, error) {
	// Most polls find nothing: ask a reader first, so an idle poll never
	// takes the single writer connection.
	var due int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM mail_outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? LIMIT 1) due`, ms(now)).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("store: due mail: %w", err)
	} else if due == 0 {
		return nil, nil
	}
	// On PostgreSQL several replicas claim at once, without the write
	// transactions' lock: each takes the due rows no other claim holds
	// (SKIP LOCKED), so no message is taken twice.
	claim := `SELECT ` + mailColumns + ` FROM mail_outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
	begin := db.beginTx
	if db.dialect == dialectPostgres {
		claim += ` FOR UPDATE SKIP LOCKED`
		begin = db.beginRowLockTx
	}
	tx, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out, err := queryMail(ctx, tx, claim, ms(now), limit)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	for _, m := range out {
		m.Attempts++
		m.NextAttemptAt = now.Add(lease)
		if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`,
			m.Attempts, ms(m.NextAttemptAt), m.ID); err != nil {
			return nil, fmt.Errorf("store: claim mail: %w", err)
		}
	}
	return out, tx.Commit()
}

// MarkMailSent records the delivery of message id. Without keepBody the body
// is blanked: it may hold a single-use link, which should not outlive its
// delivery in a database copy (the demo mailbox keeps bodies to show them).
func (db *DB) MarkMailSent(ctx context.Context, id int64, at time.Time, keepBody bool) error {
	q := `UPDATE mail_outbox SET sent_at = ?, last_error = '' WHERE id = ?`
	if !keepBody {
		q = `UPDATE mail_outbox SET sent_at = ?, last_error = '', body_text = '' WHERE id = ?`
	}
	if _, err := db.execWrite(ctx, q, ms(at), id); err != nil {
		return fmt.Errorf("store: mark mail sent: %w", err)
	}
	return nil
}

// MarkMailFailed records a failed attempt: the message is tried again at
// retryAt, or, with giveUp, never again (failed_at is set).
func (db *DB) MarkMailFailed(ctx context.Context, id int64, errText string, retryAt time.Time, giveUp bool) error {
	if len(errText) > 1000 {
		errText = errText[:1000]
	}
	var failed sql.NullInt64
	if giveUp {
		failed = sql.NullInt64{Int64: ms(db.Now()), Valid: true}
	}
	if _, err := db.execWrite(ctx, `UPDATE mail_outbox SET last_error = ?, next_attempt_at = ?, failed_at = ? WHERE id = ?`,
		errText, ms(retryAt), failed, id); err != nil {
		return fmt.Errorf("store: mark mail failed: %w", err)
	}
	return nil
}
