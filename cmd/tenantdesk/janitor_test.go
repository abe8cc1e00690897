package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Every round of the janitor prunes the throttle counts that left their
// window; the rounds with purgeMail also delete mail and links past
// sqlstore.MailRetention, and log the counts at debug level only.
func TestJanitorSweepPrunesAndPurges(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "janitor.db")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db, ops, op, owner := openWithAcme(t, path, func() time.Time { return now })
	defer db.Close()
	if err := ops.QueueActivation(op, owner.ID); err != nil { // a link and an email
		t.Fatal(err)
	}
	msgs, _ := db.ListMail(ctx, 1)
	if err := db.MarkMailSent(ctx, msgs[0].ID, now, false); err != nil {
		t.Fatal(err)
	}
	client := tenantdesk.WithActor(ctx, &tenantdesk.Actor{IP: "203.0.113.7"})
	links, err := service.NewLinks(&service.Deps{Store: db, Mail: mail.NewRenderer(mustBundle(t)), Hasher: db.Hasher})
	if err != nil {
		t.Fatal(err)
	}
	if err := links.RequestPasswordReset(client, "nobody@acme.example"); err != nil {
		t.Fatal(err)
	}

	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows := func(table string) int {
		var n int
		if err := conn.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	now = now.Add(tenantdesk.ThrottleWindow + time.Minute)
	sweep(ctx, db, time.Hour, false, log)
	if rows("password_reset_requests") != 0 || rows("mail_outbox") != 1 || rows("user_tokens") != 1 {
		t.Errorf("after a round without purge: requests %d, mail %d, links %d",
			rows("password_reset_requests"), rows("mail_outbox"), rows("user_tokens"))
	}
	sweep(ctx, db, time.Hour, true, log) // the mail is recent: kept
	if rows("mail_outbox") != 1 || rows("user_tokens") != 1 {
		t.Error("recent mail or link purged")
	}

	now = now.Add(sqlstore.MailRetention + tenantdesk.DefaultActivationTTL) // the link has been expired for the retention too
	sweep(ctx, db, time.Hour, true, log)
	if rows("mail_outbox") != 0 || rows("user_tokens") != 0 {
		t.Errorf("after the retention: mail %d, links %d", rows("mail_outbox"), rows("user_tokens"))
	}
	if got := logs.String(); strings.Contains(got, "level=WARN") || !strings.Contains(got, "level=DEBUG msg=\"janitor: mail retention\" mails=1 links=1") {
		t.Errorf("logs: %s", got)
	}
}

// A janitor round merges the user search index's segments (one per write
// transaction that added users, fewer after FTS5's automerge) until
// MergeSearchIndex has nothing left to do.
func TestJanitorSweepMergesTheSearchIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "janitor.db")
	db, _, _, owner := openWithAcme(t, path, nil)
	defer db.Close()
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	// Six transactions of 400 users each (as an import writes them): one
	// FTS5 segment each, too large for automerge to fold at once.
	for tx := range 6 {
		if _, err := conn.Exec(`BEGIN`); err != nil {
			t.Fatal(err)
		}
		for i := range 400 {
			n := tx*400 + i
			if _, err := conn.Exec(`INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 'invited', 1, 1)`, sqlstore.NewKey(), owner.AccountID,
				fmt.Sprintf("Staff %04d", n), fmt.Sprintf("staff %04d", n), fmt.Sprintf("staff%04d@acme.example", n), fmt.Sprintf("staff%04d@acme.example", n)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.Exec(`COMMIT`); err != nil {
			t.Fatal(err)
		}
	}
	// A copy of the database as it is now has merging to do...
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, err := conn.Exec(`VACUUM INTO ?`, copyPath); err != nil {
		t.Fatal(err)
	}
	cp, err := sqlstore.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if done, err := cp.MergeSearchIndex(ctx); err != nil || done {
		t.Fatalf("before a janitor round the index needs no merging (done %t, %v); the test needs segments to merge", done, err)
	}
	// ... and after a janitor round, the database itself has none left.
	var logs strings.Builder
	sweep(ctx, db, time.Hour, false, slog.New(slog.NewTextHandler(&logs, nil)))
	if done, err := db.MergeSearchIndex(ctx); err != nil || !done {
		t.Errorf("after a janitor round the index still had merging to do (done %t, %v)", done, err)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("logs: %s", logs.String())
	}
	db.ForgetCachedReads()
	page, err := db.UserPage(ctx, &tenantdesk.Account{ID: owner.AccountID}, tenantdesk.UserFilter{Query: "aff 12", Limit: 200})
	if err != nil || len(page.Users) != 100 {
		t.Errorf("after merging, %q found %d users (%v), want 100", "aff 12", len(page.Users), err)
	}
}
