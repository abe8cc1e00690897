package mail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TLS modes of the SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte, "SMTPS" (port 465)
	TLSNone     = "none"     // no encryption: only for a relay on localhost or a trusted network (port 25)
)

// SMTPConfig configures the SMTP relay.
type SMTPConfig struct {
	Host string
	// Port 0 means the TLS mode's usual port: 587, 465 or 25.
	Port     int
	Username string // empty: no authentication
	Password string
	// From is the sender, "Name <address>" or a bare address.
	From string
	// TLS is TLSStartTLS (default), TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds connecting and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// HELO is the name the client introduces itself with (EHLO) and the
	// domain of its Message-IDs: a fully qualified host name, since relays
	// may refuse a short one, or an IP address (sent as an address literal).
	// Empty: the machine's host name.
	HELO string
}

// ErrHELO is wrapped by NewSMTPSender's error for a malformed HELO name.
var ErrHELO = errors.New("want a host name such as desk.example.com or an IP address")

// SMTPSender sends mail through an SMTP relay with github.com/wneessen/go-mail.
type SMTPSender struct {
	client *gomail.Client
	from   string
	domain string // of Message-IDs, the same as the EHLO name
}

// NewSMTPSender checks cfg and prepares the client; it does not connect.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTP host is required")
	}
	if cfg.From == "" {
		return nil, errors.New("mail: the sender address (--smtp-from) is required with SMTP")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HELO == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("mail: no HELO name given and no host name: %w", err)
		}
		cfg.HELO = h
	}
	helo, err := heloName(cfg.HELO)
	if err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout), gomail.WithHELO(helo)}
	port := cfg.Port
	switch cfg.TLS {
	case "", TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if port == 0 {
			port = 25
		}
	default:
		return nil, fmt.Errorf("mail: SMTP TLS mode %q: want starttls, tls or none", cfg.TLS)
	}
	opts = append(opts, gomail.WithPort(port))
	if cfg.Username != "" {
		// The strongest mechanism the server offers; go-mail refuses to send
		// PLAIN or LOGIN credentials over an unencrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return &SMTPSender{client: c, from: cfg.From, domain: helo}, nil
}

// heloName checks a host name or IP address for EHLO and Message-IDs and
// returns it as sent: a name without its trailing dot, an IP address as an
// address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321 4.1.3).
func heloName(s string) (string, error) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		if ip.Is4() || ip.Is4In6() {
			return "[" + ip.Unmap().String() + "]", nil
		}
		return "[IPv6:" + ip.String() + "]", nil
	}
	name := strings.TrimSuffix(s, ".")
	ok := name != "" && len(name) <= 253
	for label := range strings.SplitSeq(name, ".") {
		ok = ok && label != "" && len(label) <= 63 && label[0] != '-' && label[len(label)-1] != '-'
		for _, r := range label {
			ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		}
	}
	if !ok {
		return "", fmt.Errorf("mail: HELO name %q: %w", s, ErrHELO)
	}
	return name, nil
}

// messageID is the Message-ID of m: for a message of the outbox, the same
// on every attempt to send it. Delivery is at least once: a process killed
// after the relay took a message but before it recorded that sends it again
// when the claim's lease ends (docs/deploy.md); the repeated Message-ID
// lets the receiving systems, which drop a message they already hold,
// drop the second copy. It names no outbox row: a hash, not the ID.
func (s *SMTPSender) messageID(m *tenantdesk.MailMessage) string {
	if m.ID == 0 {
		return rand.Text() + "@" + s.domain
	}
	h := sha256.Sum256(fmt.Appendf(nil, "tenantdesk outbox message\x00%s\x00%d\x00%d", s.domain, m.ID, m.CreatedAt.UnixMilli()))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:20]) + "@" + s.domain
}

// Send delivers m over one SMTP connection.
func (s *SMTPSender) Send(ctx context.Context, m *tenantdesk.MailMessage) error {
	// Without User-Agent and X-Mailer: go-mail would name itself and its
	// version in them, which tells every recipient what to attack.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	// go-mail's own Message-ID ends in the machine's short host name (and
	// its random part may start with a dot, which RFC 5322 forbids).
	msg.SetMessageIDWithValue(s.messageID(m))
	// Auto-Submitted keeps out-of-office replies away (RFC 3834).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	return s.client.DialAndSendWithContext(ctx, msg)
}
