package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// Russian has two words for "account": «аккаунт» is the customer's or
// partner's account (the tenant, as in «Об аккаунте»), «учётная запись» a
// person's login (activate it, sign in to it, its password and sessions).
// The glossary follows the product documentation (seed 000).

// ruTenantKeys are the message IDs (by prefix) that speak of the tenant
// account only: the About account pages (the audit log's values among
// them), the partner's customers, access requests and impersonation (a
// partner user works in the customer's account) and the audit log's
// phrases naming an account.
var ruTenantKeys = []string{"nav.account", "account.", "partner.", "audit.action.account.", "audit.action.customer.",
	"access.", "access_customer.", "zone.", "impersonation.", "audit.in_account", "audit.acting_for", "audit.impersonating"}

// ruTenantPhrases are the tenant sense in any message: its owner, its
// administrator, its rules, its name.
var ruTenantPhrases = regexp.MustCompile(`(?i)(владел|администратор|правил|названи)\p{L}*\s+(\p{L}+\s+)?учё?е?тн`)

var ruLogin = regexp.MustCompile(`(?i)учё?е?тн\p{L}*\s+запис`)

// TestRussianAccountTerms fails when the Russian messages call the tenant
// account «учётная запись» (the word of a person's login).
func TestRussianAccountTerms(t *testing.T) {
	msgs := ruMessages(t)
	if len(msgs) == 0 {
		t.Fatal("no Russian messages found")
	}
	for id, text := range msgs {
		for _, p := range ruTenantKeys {
			if (id == p || strings.HasPrefix(id, p)) && ruLogin.MatchString(text) {
				t.Errorf("%s speaks of the tenant account as «учётная запись»: %q", id, text)
			}
		}
		if m := ruTenantPhrases.FindString(text); m != "" {
			t.Errorf("%s: %q is the tenant account, «аккаунт»: %q", id, m, text)
		}
	}
}

// ruMessages reads every Russian message, the forms of a plural joined
// (localeMessages, glossary_test.go).
func ruMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, forms := range localeMessages(t, "ru") {
		all := make([]string, 0, len(forms))
		for _, v := range forms {
			all = append(all, v)
		}
		out[id] = strings.Join(all, "\n")
	}
	return out
}
