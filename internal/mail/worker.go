package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Store is the outbox as the worker sees it (internal/sqlstore.DB implements it).
type Store interface {
	// ClaimMail returns up to limit messages due at now, counting an attempt
	// for each and hiding them from other claims until now+lease.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*tenantdesk.MailMessage, error)
	// MarkMailSent records a delivery; without keepBody the body is blanked.
	MarkMailSent(ctx context.Context, id int64, at time.Time, keepBody bool) error
	// MarkMailFailed records a failed attempt: retry at retryAt, or never with giveUp.
	MarkMailFailed(ctx context.Context, id int64, errText string, retryAt time.Time, giveUp bool) error
}

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m *tenantdesk.MailMessage) error
}

// DevMailbox is the Sender of the demo mailbox: it delivers nothing, and the
// message stays readable in the portal at /dev/mail.
type DevMailbox struct{}

// Send accepts every message at once.
func (DevMailbox) Send(context.Context, *tenantdesk.MailMessage) error { return nil }

// Delivery policy defaults.
const (
	DefaultInterval    = 5 * time.Second
	DefaultMaxAttempts = 10
	DefaultBatch       = 20
	// DefaultLease is how long a claimed batch is hidden from other claims.
	// It must outlast the sending of a whole batch (DefaultBatch messages,
	// each bounded by the SMTP timeout) so that a message is never sent
	// twice by a slow attempt and another claim. A worker that dies
	// between the relay's acceptance and recording the message as sent
	// leaves it claimed: it goes out again when the lease ends (delivery
	// is at least once).
	DefaultLease = 10 * time.Minute
	// First retry after BackoffBase, doubling up to BackoffMax.
	BackoffBase = time.Minute
	BackoffMax  = time.Hour
)

// Backoff is the wait after the attempt-th failed attempt (1-based):
// 1m, 2m, 4m … capped at 1h.
func Backoff(attempt int) time.Duration {
	d := BackoffBase
	for i := 1; i < attempt && d < BackoffMax; i++ {
		d *= 2
	}
	if d > BackoffMax {
		d = BackoffMax
	}
	return d
}

// Worker delivers the outbox: it polls every Interval, and Notify wakes it
// at once. A failed message is retried with exponential backoff (Backoff)
// and given up after MaxAttempts attempts.
type Worker struct {
	Store  Store
	Sender Sender
	Now    func() time.Time
	Log    *slog.Logger
	// KeepBodies keeps the bodies of sent messages (the demo mailbox shows
	// them); otherwise they are blanked after delivery, since they may hold
	// single-use links.
	KeepBodies  bool
	Interval    time.Duration // 0: DefaultInterval
	MaxAttempts int           // 0: DefaultMaxAttempts
	Lease       time.Duration // 0: DefaultLease

	once sync.Once
	wake chan struct{}
}

func (w *Worker) init() {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
}

// Notify wakes the worker to look for due mail now. It never blocks.
func (w *Worker) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run delivers mail until ctx ends. A message being sent when ctx ends is
// finished and recorded first (see RunOnce), so wait for Run to return
// before closing the store.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log().Warn("mail: delivery round failed", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce delivers every message due now, in batches, and returns how many
// it sent. It stops at the first store error, and when ctx ends, after the
// message being sent: that one is finished and recorded regardless.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	max := w.MaxAttempts
	if max <= 0 {
		max = DefaultMaxAttempts
	}
	lease := w.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	sent := 0
	for ctx.Err() == nil {
		batch, err := w.Store.ClaimMail(ctx, w.now(), lease, DefaultBatch)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			return sent, nil
		}
		for _, m := range batch {
			if ctx.Err() != nil {
				// Stopping: the rest of the batch stays claimed and goes
				// out after the lease.
				return sent, ctx.Err()
			}
			// A message begun is finished and its outcome recorded even if
			// ctx ends meanwhile: one sent but not recorded as sent would
			// go out a second time after the lease. The sender's timeout
			// bounds the wait.
			sendCtx := context.WithoutCancel(ctx)
			if err := w.Sender.Send(sendCtx, m); err != nil {
				giveUp := m.Attempts >= max
				retry := w.now().Add(Backoff(m.Attempts))
				if err := w.Store.MarkMailFailed(sendCtx, m.ID, err.Error(), retry, giveUp); err != nil {
					return sent, err
				}
				level := slog.LevelWarn
				if giveUp {
					level = slog.LevelError
				}
				w.log().Log(sendCtx, level, "mail: delivery failed", "mail_id", m.ID, "kind", m.Kind,
					"attempt", m.Attempts, "gave_up", giveUp, "error", err.Error())
				continue
			}
			if err := w.Store.MarkMailSent(sendCtx, m.ID, w.now(), w.KeepBodies); err != nil {
				return sent, err
			}
			sent++
			w.log().Info("mail: sent", "mail_id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
		}
	}
	return sent, ctx.Err()
}
