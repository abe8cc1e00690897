package tenantdesk

import "context"

// CustomerReads read customers' phone-platform connection details, inside
// a transaction or not.
type CustomerReads interface {
	// Connection returns the account's connection details as a JSON object
	// text ("{}" when none).
	Connection(ctx context.Context, accountID int64) (string, error)
	// CustomerStatus returns the status of customer account accountID
	// (CustomerStatusOf: disabled, else active with an activated user
	// admin or Owner, else pending onboarding).
	CustomerStatus(ctx context.Context, accountID int64) (CustomerStatus, error)
}

// CustomerLists read a partner's customers (outside transactions).
type CustomerLists interface {
	// CustomerPage returns up to f.Limit customers of the partner account
	// partnerID whose name, reference or tenant ID contains f.Query
	// (case-insensitively) and whose status is f.Status (when set), in
	// f.Sort's order, with every column of CustomerSummary, in one query;
	// EINVALID for a cursor that is not one of that order.
	CustomerPage(ctx context.Context, partnerID int64, f CustomerFilter) (*CustomerPage, error)
	// CustomerRow returns the list row of the customer accountID of the
	// partner partnerID; ENOTFOUND for an account that is not one.
	CustomerRow(ctx context.Context, partnerID, accountID int64) (*CustomerSummary, error)
	// CustomerUsersGlance counts the account's users by status and its
	// user admins by status, with the first MaxGlanceAdmins of them.
	CustomerUsersGlance(ctx context.Context, accountID int64) (*CustomerUsersGlance, error)
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
