package tenantdesk

import "context"

// CustomerReads read customers' phone-platform connection details, inside
// a transaction or not.
type CustomerReads interface {
	// Connection returns the account's connection details as a JSON object
	// text ("{}" when none).
	Connection(ctx context.Context, accountID int64) (string, error)
}

// CustomerLists read a partner's customers (outside transactions).
type CustomerLists interface {
	// CustomerPage returns up to f.Limit customers of the partner account
	// partnerID whose name starts with f.Query (case-insensitively), in
	// the order of their names (then ID); EINVALID for a cursor that is
	// not one.
	CustomerPage(ctx context.Context, partnerID int64, f CustomerFilter) (*CustomerPage, error)
	// PartnerCustomers returns the customers of partnerID among ids with
	// their connection details, in the order of ids; IDs of other accounts
	// are left out.
	PartnerCustomers(ctx context.Context, partnerID int64, ids []int64) ([]*Customer, error)
}

// GeneralInfoTx writes accounts' general information.
type GeneralInfoTx interface {
	// SetGeneralInfo stores in as the general information of accountID
	// (its UpdatedAt becomes the transaction's time).
	SetGeneralInfo(ctx context.Context, accountID int64, in GeneralInfo) error
}
