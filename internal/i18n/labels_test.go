package i18n_test

import (
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
)

// TestEveryMailKindHasALabel keeps the demo mailbox readable: every kind of
// mail has a translated name (devmail.kind.<kind>).
func TestEveryMailKindHasALabel(t *testing.T) {
	en, err := i18n.MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range mail.Kinds() {
		if !en["devmail.kind."+k] {
			t.Errorf("mail kind %q has no label (devmail.kind.%s)", k, k)
		}
	}
}
