package web

// Benchmarks of rendering the Users tab (issue 3), without the database:
// 50 rows as handleUsers builds them (roleNames translates each user's
// roles) rendered as the full page and as the HTMX fragment, in English,
// with the shipped message bundle. Together with
// internal/sqlstore's BenchmarkListUsers100k they split a Users-tab request
// into query and page:
//
//	go test -run '^$' -bench UsersTabRender -benchmem ./web/

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

func BenchmarkUsersTabRender(b *testing.B) {
	bundle, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	acc := &tenantdesk.Account{ID: 3, TenantID: "tnbenchbenchbench3", Kind: tenantdesk.AccountCustomer, Name: "Benchmark Customer 03"}
	owner := &tenantdesk.User{ID: 1, AccountID: acc.ID, DisplayName: "Christopher Miller", Email: "owner@bench03.example",
		Status: tenantdesk.UserActive, IsOwner: true, Roles: tenantdesk.CustomerOwnerRoles()}
	ctx := view.With(context.Background(), &view.Request{Tr: bundle.Localizer("en"), CSRF: "csrf-token", User: owner,
		Account: acc, Location: time.UTC, Path: "/account/users", RequestID: "req", AssetVersion: "v1"})
	users := []*tenantdesk.User{owner}
	for i := 2; len(users) < 50; i++ {
		users = append(users, &tenantdesk.User{ID: int64(i), AccountID: acc.ID, DisplayName: fmt.Sprintf("Aaron Abbott %d", i),
			Email: fmt.Sprintf("aabbott%d@bench03.example", i), Status: tenantdesk.UserInvited,
			Roles: []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleSupervisorL1}})
	}
	build := func() account.UsersView {
		v := account.UsersView{Account: acc, NextURL: "/account/users?after=NTAwMDphYXJvbiBhYmJvdHQ"}
		badges := roleBadgeMemo{ctx: ctx, byRoles: map[string]account.RoleBadges{}}
		for _, u := range users {
			v.Users = append(v.Users, account.NewUserRow(u, badges.of(u.Roles)))
		}
		return v
	}
	b.Run("full-page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := account.Users(build()).Render(ctx, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fragment", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := account.UsersResults(build()).Render(ctx, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			build()
		}
	})
	b.Run("T-plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			view.T(ctx, "users.edit")
		}
	})
	b.Run("T-with-data", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			view.T(ctx, "users.edit_label", map[string]any{"Name": "Aaron Abbott"})
		}
	})
}
