package sqlite

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error)      { return "plain:" + pw, nil }
func (plainHasher) Verify(enc, pw string) (bool, error) { return enc == "plain:"+pw, nil }

func openLinksDB(t *testing.T) (*DB, *tenantdesk.User) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "links.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Hasher = plainHasher{}
	db.Mail.BaseURL = "https://desk.example.com/"
	_, owner, err := servicetest.NewOps(t, db).CreatePartner(context.Background(), tenantdesk.CreatePartnerInput{Name: "Acme", OwnerName: "Olga", OwnerEmail: "olga@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return db, owner
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The outbox row and the link are written in the caller's transaction:
// they vanish with a rollback and appear with the commit.
func TestQueueActivationIsPartOfTheTransaction(t *testing.T) {
	db, owner := openLinksDB(t)
	ctx := context.Background()
	tx, err := db.beginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.queueActivation(ctx, owner); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if count(t, db, "mail_outbox") != 0 || count(t, db, "user_tokens") != 0 {
		t.Fatal("a rolled-back transaction left mail or a link behind")
	}
	if err := servicetest.NewOpsAt(t, db, "https://desk.example.com").QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if count(t, db, "mail_outbox") != 1 || count(t, db, "user_tokens") != 1 {
		t.Fatal("the committed activation left no mail or link")
	}
}

func TestLinksStoreOnlyTheTokensHash(t *testing.T) {
	db, owner := openLinksDB(t)
	ctx := context.Background()
	if err := servicetest.NewOpsAt(t, db, "https://desk.example.com").QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	msgs, _ := db.ListMail(ctx, 1)
	// Fallback renderer (none configured): English text with the absolute link.
	if msgs[0].Subject != "Activate your Tenantdesk account" || !strings.Contains(msgs[0].BodyText, "expires in 72 hours") {
		t.Errorf("fallback mail: %+v", msgs[0])
	}
	i := strings.Index(msgs[0].BodyText, "https://desk.example.com/activate?token=")
	if i < 0 {
		t.Fatalf("no link in %q", msgs[0].BodyText)
	}
	link, _, _ := strings.Cut(msgs[0].BodyText[i:], "\n")
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	if len(token) != 43 {
		t.Fatalf("token %q", token)
	}
	var stored []byte
	if err := db.read.QueryRow(`SELECT token_hash FROM user_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == token || len(stored) != 32 {
		t.Errorf("stored %x for token %s", stored, token)
	}
	if got, err := db.CheckLink(ctx, tenantdesk.LinkActivation, token); err != nil || got.ID != owner.ID {
		t.Fatalf("CheckLink: %v", err)
	}
	// The wrong kind, a prefix, or the hash itself are not the link.
	for _, c := range []struct{ kind, token string }{{tenantdesk.LinkReset, token}, {tenantdesk.LinkActivation, token[:42]}, {"email_change", token}} {
		if _, err := db.CheckLink(ctx, c.kind, c.token); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Errorf("CheckLink(%s, %s…): %v", c.kind, c.token[:8], err)
		}
	}
	// A new activation replaces the old link.
	if err := servicetest.NewOpsAt(t, db, "https://desk.example.com").QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckLink(ctx, tenantdesk.LinkActivation, token); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Errorf("replaced link still works: %v", err)
	}
	// Active users get no activation email.
	db.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := db.SetPassword(ctx, owner.ID, "a good long password"); err != nil {
		t.Fatal(err)
	}
	if err := servicetest.NewOpsAt(t, db, "https://desk.example.com").QueueActivation(ctx, owner.ID); tenantdesk.ErrorCode(err) != tenantdesk.EUserNotInvited {
		t.Errorf("activation for an active user: %v", err)
	}
}
