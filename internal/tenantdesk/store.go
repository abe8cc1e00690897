package tenantdesk

import (
	"context"
	"time"
)

// Store is the database as the services (internal/service) see it: reads
// outside a transaction, and Update, one write transaction per service
// call. internal/sqlstore implements it; a second store implements the same
// interfaces with its own SQL and nothing else: no rule, no mail text and
// no audit wording live behind them. Every method that reads or writes an
// account's data takes the account's ID and treats a row of another
// account as not there (ENOTFOUND).
//
// The interfaces are grouped by area (store_*.go); StoreReads and StoreTx
// gather them.
type Store interface {
	StoreReads
	Secrets
	// Update runs fn in one write transaction: committed when fn returns
	// nil, rolled back when it returns an error or panics. Mail queued in
	// it wakes the delivery worker once committed. Writers take turns, so
	// what fn reads stays true until it returns.
	Update(ctx context.Context, fn func(tx StoreTx) error) error
	// Record runs fn in one write transaction that, with several
	// processes on PostgreSQL, does not wait for the other writers' turn:
	// for changes that record what happened (a sign-in's audit row, a
	// throttle attempt, which locks its own keys) and check no rule
	// against rows other writers change. On SQLite it is Update.
	Record(ctx context.Context, fn func(tx StoreTx) error) error
}

// StoreReads are the reads services make outside a write transaction. The
// store may answer hot ones from a short-lived cache (invalidated by its
// own writes at once, by other processes' within a second).
type StoreReads interface {
	AccountReads
	UserReads
	UserLists
	ProfileReads
	TwoFactorReads
	AccountSecurityReads
	TokenReads
	DeviceReads
	DeviceLists
	CustomerReads
	CustomerLists
	AuditReads
	CredentialReads
	LinkReads
	AccessReads
	DashboardReads // dashboard.go
	SettingsReads  // settings.go
	StoreClock
}

// StoreTx is one write transaction: the reads (seeing its own writes) and
// the writes of every area.
type StoreTx interface {
	// Now is the transaction's time: every row it writes carries it.
	Now() time.Time
	AccountReads
	AccountTx
	UserReads
	UserTx
	AuditTx
	MailTx
	LinkTx
	SessionTx
	DeviceTx
	ProfileReads
	ProfileTx
	TwoFactorReads
	TwoFactorTx
	AccountSecurityReads
	AccountSecurityTx
	TokenTx
	DeviceReads
	CustomerReads
	GeneralInfoTx
	CustomerStatusTx
	SettingsTx // settings.go
	IdempotencyTx
	CredentialReads
	CredentialTx
	AttemptTx
	SignInTx
	AccessReads
	AccessTx
}
