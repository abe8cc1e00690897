package service_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// BenchmarkInviteUser creates one user per operation as POST
// /api/v1/customers/{tenantId}/users does (issue 15, "The write path"):
// one write transaction with the user, its role, the user.create audit
// row, the activation link, the outbox row and the user.activation_sent
// audit row. One writer at a time, so 1/(ns/op) bounds users per second
// on one core; cmd/benchrun measures it over HTTP.
func BenchmarkInviteUser(b *testing.B) {
	svc, ctx, a := inviteBenchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ch, err := svc.Users.InviteUser(ctx, a.C1.ID, tenantdesk.NewUser{DisplayName: fmt.Sprintf("Bench %d", i),
			Email: fmt.Sprintf("bench.%d@c1.example", i), Roles: []string{tenantdesk.RoleCustomerUser}})
		if err != nil {
			b.Fatal(err)
		}
		if ch.User.ID == 0 {
			b.Fatal("no user ID")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkInviteUserParallel is BenchmarkInviteUser with 32 callers at
// once, as under make bench's API load: the writer's throughput when
// creations queue for it (on SQLite their transactions commit in groups,
// sqlstore's group commit).
func BenchmarkInviteUserParallel(b *testing.B) {
	svc, ctx, a := inviteBenchSetup(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16) // × GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			ch, err := svc.Users.InviteUser(ctx, a.C1.ID, tenantdesk.NewUser{DisplayName: fmt.Sprintf("Bench %d", i),
				Email: fmt.Sprintf("bench.%d@c1.example", i), Roles: []string{tenantdesk.RoleCustomerUser}})
			if err != nil {
				b.Error(err)
				return
			}
			if ch.User.ID == 0 {
				b.Error("no user ID")
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// inviteBenchSetup is the services on a fresh arranged database and the
// context of an Owner of account C1, for the invite benchmarks.
func inviteBenchSetup(b *testing.B) (*service.All, context.Context, *storetest.Accounts) {
	b.Helper()
	db, _ := storetest.Open(b)
	deps := servicetest.Deps(b, db)
	deps.Hasher = db.Hasher
	svc, err := service.New(deps)
	if err != nil {
		b.Fatal(err)
	}
	a := storetest.Arrange(b, db)
	return svc, storetest.As(db, a.Owner1), a
}
