package mail_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/testdb"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	tdmail "github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeSender records messages and fails while fail is set.
type fakeSender struct {
	mu   sync.Mutex
	fail error
	sent []*tenantdesk.MailMessage
	seen chan struct{}
}

func (f *fakeSender) Send(_ context.Context, m *tenantdesk.MailMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.sent = append(f.sent, m)
	if f.seen != nil {
		select {
		case f.seen <- struct{}{}:
		default:
		}
	}
	return nil
}

func (f *fakeSender) setFail(err error) { f.mu.Lock(); f.fail = err; f.mu.Unlock() }
func (f *fakeSender) count() int        { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

// newStore opens a migrated database with one invited partner Owner and
// returns it with the Owner's ID.
func newStore(t *testing.T) (*sqlstore.DB, *clock, int64) {
	t.Helper()
	db, err := sqlstore.Open(testdb.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	_, owner, err := servicetest.NewOps(t, db).CreatePartner(context.Background(), tenantdesk.CreatePartnerInput{
		Name: "Acme", OwnerName: "Olga Owner", OwnerEmail: "olga@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return db, c, owner.ID
}

func queue(t *testing.T, db *sqlstore.DB, userID int64) {
	t.Helper()
	if err := servicetest.NewOpsAt(t, db, "https://desk.example.com").QueueActivation(context.Background(), userID); err != nil {
		t.Fatal(err)
	}
}

func onlyMail(t *testing.T, db *sqlstore.DB) *tenantdesk.MailMessage {
	t.Helper()
	msgs, err := db.ListMail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the outbox, want 1", len(msgs))
	}
	return msgs[0]
}

func TestBackoffDoublesUpToAnHour(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute,
		32 * time.Minute, time.Hour, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := tdmail.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

func TestWorkerSendsAndMarksSent(t *testing.T) {
	db, c, uid := newStore(t)
	queue(t, db, uid)
	m := onlyMail(t, db)
	if m.To != "olga@acme.example" || m.Kind != tenantdesk.MailActivation || !strings.Contains(m.BodyText, "https://desk.example.com/activate?token=") {
		t.Fatalf("queued message: %+v", m)
	}
	s := &fakeSender{}
	w := &tdmail.Worker{Store: db, Sender: s, Now: c.Now}
	n, err := w.RunOnce(context.Background())
	if err != nil || n != 1 || s.count() != 1 {
		t.Fatalf("RunOnce: sent %d, err %v, sender saw %d", n, err, s.count())
	}
	if s.sent[0].Subject != "Activate your Tenantdesk account" {
		t.Errorf("subject %q", s.sent[0].Subject)
	}
	m = onlyMail(t, db)
	if !m.SentAt.Equal(c.Now()) || m.Attempts != 1 || m.LastError != "" {
		t.Errorf("after sending: %+v", m)
	}
	// Delivered over SMTP, the body (with its single-use link) is not kept.
	if m.BodyText != "" {
		t.Errorf("body kept after SMTP delivery: %q", m.BodyText)
	}
	// Nothing is sent twice.
	if n, _ := w.RunOnce(context.Background()); n != 0 || s.count() != 1 {
		t.Errorf("second round sent %d", n)
	}
}

func TestDevMailboxKeepsBodies(t *testing.T) {
	db, c, uid := newStore(t)
	queue(t, db, uid)
	w := &tdmail.Worker{Store: db, Sender: tdmail.DevMailbox{}, Now: c.Now, KeepBodies: true}
	if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("RunOnce: %d %v", n, err)
	}
	if m := onlyMail(t, db); m.SentAt.IsZero() || !strings.Contains(m.BodyText, "/activate?token=") {
		t.Errorf("dev mailbox message: %+v", m)
	}
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	db, c, uid := newStore(t)
	queue(t, db, uid)
	s := &fakeSender{}
	s.setFail(errors.New("421 try later"))
	w := &tdmail.Worker{Store: db, Sender: s, Now: c.Now}
	ctx := context.Background()
	start := c.Now()
	for attempt := 1; attempt <= 3; attempt++ {
		if n, err := w.RunOnce(ctx); n != 0 || err != nil {
			t.Fatalf("attempt %d: sent %d, err %v", attempt, n, err)
		}
		m := onlyMail(t, db)
		wantNext := c.Now().Add(tdmail.Backoff(attempt))
		if m.Attempts != attempt || !m.NextAttemptAt.Equal(wantNext) || m.LastError != "421 try later" || !m.FailedAt.IsZero() {
			t.Fatalf("after attempt %d: attempts %d, next %s (want %s), error %q, failed %s",
				attempt, m.Attempts, m.NextAttemptAt, wantNext, m.LastError, m.FailedAt)
		}
		// Not due before the backoff has passed.
		c.Advance(tdmail.Backoff(attempt) - time.Second)
		if n, _ := w.RunOnce(ctx); n != 0 || onlyMail(t, db).Attempts != attempt {
			t.Fatalf("retried before the backoff of attempt %d passed", attempt)
		}
		c.Advance(time.Second)
	}
	if got := c.Now().Sub(start); got != 7*time.Minute {
		t.Errorf("three attempts took %s, want 1m+2m+4m", got)
	}
	// The server recovers: the next attempt delivers.
	s.setFail(nil)
	if n, err := w.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("after recovery: sent %d, err %v", n, err)
	}
	if m := onlyMail(t, db); m.SentAt.IsZero() || m.Attempts != 4 || m.LastError != "" {
		t.Errorf("after recovery: %+v", m)
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	db, c, uid := newStore(t)
	queue(t, db, uid)
	s := &fakeSender{}
	s.setFail(errors.New("550 no such user"))
	w := &tdmail.Worker{Store: db, Sender: s, Now: c.Now}
	ctx := context.Background()
	for attempt := 1; attempt <= tdmail.DefaultMaxAttempts; attempt++ {
		w.RunOnce(ctx)
		c.Advance(tdmail.BackoffMax)
	}
	m := onlyMail(t, db)
	if m.Attempts != tdmail.DefaultMaxAttempts || m.FailedAt.IsZero() || !m.SentAt.IsZero() {
		t.Fatalf("after %d failures: %+v", tdmail.DefaultMaxAttempts, m)
	}
	s.setFail(nil)
	c.Advance(24 * time.Hour)
	if n, _ := w.RunOnce(ctx); n != 0 || s.count() != 0 || onlyMail(t, db).Attempts != tdmail.DefaultMaxAttempts {
		t.Error("a message that was given up on was tried again")
	}
}

// cancelingSender stops its worker (cancels the worker's context) while
// the first message is being sent, as a shutdown would.
type cancelingSender struct {
	fakeSender
	cancel context.CancelFunc
}

func (c *cancelingSender) Send(ctx context.Context, m *tenantdesk.MailMessage) error {
	c.cancel()
	return c.fakeSender.Send(ctx, m)
}

// A shutdown while a message is being sent lets that message finish and
// records it as sent (else it goes out again after the lease), and starts
// no other.
func TestWorkerFinishesTheMessageInFlight(t *testing.T) {
	db, c, uid := newStore(t)
	queue(t, db, uid)
	queue(t, db, uid)
	ctx, cancel := context.WithCancel(context.Background())
	s := &cancelingSender{cancel: cancel}
	w := &tdmail.Worker{Store: db, Sender: s, Now: c.Now}
	if n, err := w.RunOnce(ctx); n != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("RunOnce: sent %d, err %v; want 1, context canceled", n, err)
	}
	if s.count() != 1 {
		t.Fatalf("the sender saw %d messages, want 1", s.count())
	}
	msgs, err := db.ListMail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if sent := m.ID == s.sent[0].ID; sent == m.SentAt.IsZero() {
			t.Errorf("message %d (handed to the relay: %v): sent at %v", m.ID, sent, m.SentAt)
		}
	}
}

func TestNotifyWakesTheWorker(t *testing.T) {
	db, c, uid := newStore(t)
	s := &fakeSender{seen: make(chan struct{}, 1)}
	w := &tdmail.Worker{Store: db, Sender: s, Now: c.Now, Interval: time.Hour}
	db.Mail.Notify = w.Notify
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(20 * time.Millisecond) // let the first (empty) round pass
	queue(t, db, uid)                 // commits, then notifies
	select {
	case <-s.seen:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not wake up on Notify")
	}
}

func TestRendererEveryKindAndLanguage(t *testing.T) {
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r := tdmail.NewRenderer(bundle)
	d := tenantdesk.MailData{Name: "Olga", Link: "https://desk.example.com/activate?token=abc", TTL: 72 * time.Hour,
		At: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	for _, l := range i18n.Languages {
		for _, kind := range tdmail.Kinds() {
			subject, body, err := r.RenderMail(kind, l.Tag, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", l.Tag, kind, err)
			}
			if subject == "" || strings.ContainsAny(subject, "\n{}") || strings.Contains(body, "{{") || strings.Contains(body, "<no value>") {
				t.Errorf("%s/%s: subject %q body %q", l.Tag, kind, subject, body)
			}
			if !strings.Contains(body, d.Link) || !strings.Contains(body, "Olga") {
				t.Errorf("%s/%s: body lacks the link or the name: %q", l.Tag, kind, body)
			}
		}
	}
	_, ru, _ := r.RenderMail(tenantdesk.MailActivation, "ru", d)
	if !strings.Contains(ru, "через 72 часа") {
		t.Errorf("russian activation body: %q", ru)
	}
	_, en, _ := r.RenderMail(tenantdesk.MailReset, "", tenantdesk.MailData{Name: "Olga", Link: d.Link, TTL: time.Hour})
	if !strings.Contains(en, "expires in 1 hour") {
		t.Errorf("english reset body: %q", en)
	}
	if _, _, err := r.RenderMail("no_such_kind", "en", d); err == nil {
		t.Error("unknown kind rendered")
	}
}

// fakeSMTP is a minimal SMTP server on loopback that accepts one session
// without TLS or authentication and hands over what the client sent: the
// EHLO/HELO line and the envelope, a blank line, then the DATA.
func fakeSMTP(t *testing.T) (addr string, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(conn)
		say := func(s string) { io.WriteString(conn, s+"\r\n") }
		say("220 fake.example ESMTP ready")
		var envelope []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				envelope = append(envelope, strings.TrimSpace(line))
				say("250-fake.example")
				say("250-8BITMIME")
				say("250 SIZE 1048576")
			case strings.HasPrefix(cmd, "MAIL FROM:"), strings.HasPrefix(cmd, "RCPT TO:"):
				envelope = append(envelope, strings.TrimSpace(line))
				say("250 OK")
			case cmd == "DATA":
				say("354 go ahead")
				var data strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					data.WriteString(strings.TrimPrefix(l, "."))
				}
				say("250 queued")
				out <- strings.Join(envelope, "\n") + "\n\n" + data.String()
			case cmd == "RSET", cmd == "NOOP":
				say("250 OK")
			case cmd == "QUIT":
				say("221 bye")
				return
			default:
				say("502 not implemented")
			}
		}
	}()
	return ln.Addr().String(), out
}

func TestSMTPSenderDeliversThroughGoMail(t *testing.T) {
	addr, got := fakeSMTP(t)
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	s, err := tdmail.NewSMTPSender(tdmail.SMTPConfig{Host: host, Port: p, From: "Tenantdesk <desk@example.com>", TLS: tdmail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	body := "Hello Olga,\n\nopen https://desk.example.com/activate?token=abc_DEF-123 to activate.\n\n— Tenantdesk"
	err = s.Send(context.Background(), &tenantdesk.MailMessage{To: "olga@acme.example", Subject: "Активируйте учётную запись", BodyText: body})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var raw string
	select {
	case raw = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake server received no message")
	}
	envelope, data, _ := strings.Cut(raw, "\n\n")
	if !strings.Contains(envelope, "<desk@example.com>") || !strings.Contains(envelope, "<olga@acme.example>") {
		t.Errorf("envelope: %q", envelope)
	}
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("parse DATA: %v\n%s", err, data)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Активируйте учётную запись" {
		t.Errorf("subject %q", subject)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "olga@acme.example") {
		t.Errorf("To: %q", to)
	}
	if msg.Header.Get("Auto-Submitted") != "auto-generated" || msg.Header.Get("Message-ID") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("headers: %v", msg.Header)
	}
	var text []byte
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		text, err = io.ReadAll(quotedprintable.NewReader(msg.Body))
	} else {
		text, err = io.ReadAll(msg.Body)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(text), "\r\n", "\n"); !strings.Contains(got, "https://desk.example.com/activate?token=abc_DEF-123") {
		t.Errorf("body does not carry the link intact:\n%s", got)
	}
}

// sendThroughFake delivers one message with cfg (host and port set to a
// fake server's) and returns the EHLO/HELO argument and the parsed message.
func sendThroughFake(t *testing.T, cfg tdmail.SMTPConfig) (string, *mail.Message) {
	t.Helper()
	return sendMessageThroughFake(t, cfg, &tenantdesk.MailMessage{To: "olga@acme.example", Subject: "Hi", BodyText: "Hello"})
}

// TestSMTPSenderRepeatsAMessagesID: an outbox message sent again (after a
// crash between the relay's acceptance and the record of it) carries the
// same Message-ID, so receiving systems can drop the copy; another message
// has another one.
func TestSMTPSenderRepeatsAMessagesID(t *testing.T) {
	cfg := tdmail.SMTPConfig{From: "desk@example.com", HELO: "desk.example.com"}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	m := func(id int64) *tenantdesk.MailMessage {
		return &tenantdesk.MailMessage{ID: id, CreatedAt: at, To: "olga@acme.example", Subject: "Hi", BodyText: "Hello"}
	}
	_, first := sendMessageThroughFake(t, cfg, m(41))
	_, again := sendMessageThroughFake(t, cfg, m(41))
	_, other := sendMessageThroughFake(t, cfg, m(42))
	id := first.Header.Get("Message-ID")
	if id == "" || id != again.Header.Get("Message-ID") {
		t.Errorf("Message-IDs of one message: %q then %q", id, again.Header.Get("Message-ID"))
	}
	if id == other.Header.Get("Message-ID") {
		t.Errorf("two messages share the Message-ID %q", id)
	}
	if strings.Contains(id, "41") {
		t.Errorf("Message-ID %q shows the outbox row", id)
	}
}

func sendMessageThroughFake(t *testing.T, cfg tdmail.SMTPConfig, m *tenantdesk.MailMessage) (string, *mail.Message) {
	t.Helper()
	addr, got := fakeSMTP(t)
	host, port, _ := net.SplitHostPort(addr)
	cfg.Host, cfg.TLS = host, tdmail.TLSNone
	cfg.Port, _ = strconv.Atoi(port)
	s, err := tdmail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	var raw string
	select {
	case raw = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake server received no message")
	}
	envelope, data, _ := strings.Cut(raw, "\n\n")
	greeting, _, _ := strings.Cut(envelope, "\n")
	verb, helo, _ := strings.Cut(greeting, " ")
	if verb != "EHLO" && verb != "HELO" {
		t.Fatalf("first command %q, want EHLO", greeting)
	}
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("parse DATA: %v\n%s", err, data)
	}
	return helo, msg
}

// Relays that want a fully qualified name refuse the machine's short host
// name: the sender introduces itself with the configured name, ends its
// Message-IDs with it, and does not announce the mail library.
func TestSMTPSenderNamesItselfAndNotTheLibrary(t *testing.T) {
	for _, tc := range []struct{ helo, wantEHLO, wantDomain string }{
		{"desk.example.com", "desk.example.com", "desk.example.com"},
		{"Desk.Example.COM.", "Desk.Example.COM", "Desk.Example.COM"},
		{"203.0.113.7", "[203.0.113.7]", "[203.0.113.7]"},
		{"2001:db8::1", "[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]"},
	} {
		helo, msg := sendThroughFake(t, tdmail.SMTPConfig{From: "desk@example.com", HELO: tc.helo})
		if helo != tc.wantEHLO {
			t.Errorf("HELO %q: the client said EHLO %q, want %q", tc.helo, helo, tc.wantEHLO)
		}
		id := msg.Header.Get("Message-ID")
		local, domain, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"), "@")
		if !ok || domain != tc.wantDomain || len(local) < 20 || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") {
			t.Errorf("HELO %q: Message-ID %q, want <random@%s>", tc.helo, id, tc.wantDomain)
		}
		for _, h := range []string{"X-Mailer", "User-Agent"} {
			if v := msg.Header.Get(h); v != "" {
				t.Errorf("HELO %q: %s: %q announces the mail library", tc.helo, h, v)
			}
		}
	}
	// Two messages never share a Message-ID.
	_, a := sendThroughFake(t, tdmail.SMTPConfig{From: "desk@example.com", HELO: "desk.example.com"})
	_, b := sendThroughFake(t, tdmail.SMTPConfig{From: "desk@example.com", HELO: "desk.example.com"})
	if a.Header.Get("Message-ID") == b.Header.Get("Message-ID") {
		t.Errorf("the same Message-ID twice: %s", a.Header.Get("Message-ID"))
	}
}

func TestSMTPConfigChecks(t *testing.T) {
	for name, cfg := range map[string]tdmail.SMTPConfig{
		"no host":    {From: "desk@example.com"},
		"no sender":  {Host: "smtp.example.com"},
		"bad sender": {Host: "smtp.example.com", From: "not an address"},
		"bad TLS":    {Host: "smtp.example.com", From: "desk@example.com", TLS: "ssl3"},
		"bad HELO":   {Host: "smtp.example.com", From: "desk@example.com", HELO: "desk example.com"},
		"HELO @":     {Host: "smtp.example.com", From: "desk@example.com", HELO: "desk@example.com"},
		"HELO label": {Host: "smtp.example.com", From: "desk@example.com", HELO: "desk..example.com"},
	} {
		if _, err := tdmail.NewSMTPSender(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, mode := range []string{"", tdmail.TLSStartTLS, tdmail.TLSImplicit, tdmail.TLSNone} {
		if _, err := tdmail.NewSMTPSender(tdmail.SMTPConfig{Host: "smtp.example.com", From: "desk@example.com", TLS: mode,
			Username: "u", Password: "p"}); err != nil {
			t.Errorf("TLS %q: %v", mode, err)
		}
	}
}
