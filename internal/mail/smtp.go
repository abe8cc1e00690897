package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
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
}

// SMTPSender sends mail through an SMTP relay with github.com/wneessen/go-mail.
type SMTPSender struct {
	client *gomail.Client
	from   string
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
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
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
	return &SMTPSender{client: c, from: cfg.From}, nil
}

// Send delivers m over one SMTP connection.
func (s *SMTPSender) Send(ctx context.Context, m *tenantdesk.MailMessage) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	// Auto-Submitted keeps out-of-office replies away (RFC 3834).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	return s.client.DialAndSendWithContext(ctx, msg)
}
