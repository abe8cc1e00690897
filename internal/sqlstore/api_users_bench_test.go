package sqlstore_test

// Benchmarks of the database work behind GET /api/v1/customers/{id}/users/{userId}
// (issue 5: at least 0.5× the reference's /user, token check included), on
// the same database of 100,000 users as BenchmarkListUsers100k:
//
//	go test -run '^$' -bench APIGetUser100k -benchmem ./internal/sqlstore/
//
// An API read runs two statements: AuthenticateToken (service.Tokens) (the token joined with
// its user, the user's roles and the user's account: 46 columns) and
// GetUser (the user with its roles). The reference's /user runs one
// statement of four columns. The cases, each from at least 4 goroutines (the
// size of the reader pool) so that contention shows as in the server:
//
//   - AuthenticateToken, GetUser, and both in a row (the request's share);
//   - alt-token-without-account: the token query without the account join
//     and its 19 columns (the account would come from elsewhere, e.g. a
//     cache), to show what those cost;
//   - alt-reference-shape: the reference's statement on this schema (id,
//     name, email and the roles as a group_concat subquery, by primary
//     key), the floor of one point read.

import (
	"context"
	"database/sql"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func BenchmarkAPIGetUser100k(b *testing.B) {
	ub := newUsersBench(b)
	owner := tenantdesk.ActorFrom(ub.ctx).User
	tokens, err := service.NewTokens(servicetest.Deps(b, ub.db))
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := tokens.CreateToken(ub.ctx, owner.ID, tenantdesk.NewAPIToken{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	// 1,000 user IDs of the account, evenly spread.
	rows, err := ub.raw.Query(`SELECT id FROM users WHERE account_id = ? ORDER BY id`, ub.account.ID)
	if err != nil {
		b.Fatal(err)
	}
	var all []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		all = append(all, id)
	}
	rows.Close()
	ids := make([]int64, 1000)
	for i := range ids {
		ids[i] = all[i*len(all)/len(ids)]
	}

	prep := func(q string) *sql.Stmt {
		st, err := ub.raw.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	// The token query of AuthenticateToken without the account (what it
	// reads of the token and the user, roles included).
	lean := prep(`SELECT t.id, t.user_id, t.account_id, t.name, t.hint, t.read_only, t.expires_at, t.created_at,
		t.last_used_at, t.revoked_at, t.regenerated_at, u.id, u.account_id, u.display_name, u.email, u.status, u.is_owner,
		u.phone, u.job_title, u.language, u.time_zone, u.created_at, u.updated_at,
		COALESCE((SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role)), '')
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?`)
	var hash []byte
	if err := ub.raw.QueryRow(`SELECT secret_hash FROM api_tokens WHERE user_id = ?`, owner.ID).Scan(&hash); err != nil {
		b.Fatal(err)
	}
	ref := prep(`SELECT id, display_name, email,
		COALESCE((SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role)), '')
		FROM users u WHERE id = ?`)

	// The API request's actor, as apiAuthenticate builds it.
	auth, err := tokens.AuthenticateToken(context.Background(), secret)
	if err != nil {
		b.Fatal(err)
	}
	actorCtx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: auth.User, Account: auth.Account, IP: "192.0.2.1"})
	if u, err := ub.users.GetUser(actorCtx, ub.account.ID, ids[1]); err != nil || u.ID != ids[1] || len(u.Roles) != 2 {
		b.Fatalf("GetUser: %v, %+v", err, u)
	}

	parallel := func(b *testing.B, f func(i int) error) {
		b.ReportAllocs()
		// At least as many goroutines as the server's readers.
		b.SetParallelism(max(1, (sqlstore.ReaderConns+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := f(int(n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	cases := []struct {
		name string
		f    func(i int) error
	}{
		{"AuthenticateToken", func(int) error {
			_, err := tokens.AuthenticateToken(context.Background(), secret)
			return err
		}},
		{"GetUser", func(i int) error {
			_, err := ub.users.GetUser(actorCtx, ub.account.ID, ids[i%len(ids)])
			return err
		}},
		{"AuthenticateToken+GetUser", func(i int) error {
			a, err := tokens.AuthenticateToken(context.Background(), secret)
			if err != nil {
				return err
			}
			ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: a.User, Account: a.Account, IP: "192.0.2.1"})
			_, err = ub.users.GetUser(ctx, ub.account.ID, ids[i%len(ids)])
			return err
		}},
		{"alt-token-without-account", func(int) error {
			var s [11]int64
			var name, hint, dn, email, status, phone, job, lang, tz, roles string
			var ro, isOwner bool
			var uid, uacc, uc, uu int64
			return lean.QueryRow(hash).Scan(&s[0], &s[1], &s[2], &name, &hint, &ro, &s[3], &s[4], &s[5], &s[6], &s[7],
				&uid, &uacc, &dn, &email, &status, &isOwner, &phone, &job, &lang, &tz, &uc, &uu, &roles)
		}},
		{"alt-reference-shape", func(i int) error {
			var id int64
			var name, email, roles string
			return ref.QueryRow(ids[i%len(ids)]).Scan(&id, &name, &email, &roles)
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { parallel(b, c.f) })
	}
}
