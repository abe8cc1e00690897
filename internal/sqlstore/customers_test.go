package sqlstore_test

import (
	"context"
	"testing"
)

// TestPartnerCustomersScoped: the store returns a partner's customers in
// the order asked, and leaves out accounts that are not its customers.
func TestPartnerCustomersScoped(t *testing.T) {
	f := newFixture(t)
	got, err := f.db.PartnerCustomers(context.Background(), f.Partner.ID, []int64{f.C2.ID, f.OtherPartnerAdmin.AccountID, f.Partner.ID, f.C1.ID})
	must(t, err)
	if len(got) != 2 || got[0].Account.ID != f.C2.ID || got[1].Account.ID != f.C1.ID || got[0].Connection != "{}" {
		t.Fatalf("got %d customers: %+v", len(got), got)
	}
}
