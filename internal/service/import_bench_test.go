package service_test

import (
	"fmt"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// importBenchRows are n rows of a phone-platform export: every user an
// essential user with an extension, one in five an ACD agent, one in ten
// with website access (an activation email each).
func importBenchRows(prefix string, n int) []tenantdesk.ImportRow {
	rows := make([]tenantdesk.ImportRow, n)
	for i := range rows {
		rows[i] = tenantdesk.ImportRow{DisplayName: fmt.Sprintf("Person %s %05d", prefix, i), Email: fmt.Sprintf("p%s.%05d@bench.example", prefix, i),
			Extension: fmt.Sprintf("%d", 10000+i), ACDAgent: i%5 == 0}
		if i%10 == 0 {
			rows[i].Roles = []string{"customer.user", "customer.user.supervisorl1"}
		}
	}
	return rows
}

// BenchmarkImport10k imports 10,000 users into a customer account in one
// transaction (each through writeUser: rules, audit entry, activation
// email for those who may sign in), as the Users tab, the API and the
// onboarding wizard do; BenchmarkImportPreview10k checks them without
// writing. rows/s is the figure to read.
func BenchmarkImport10k(b *testing.B) { benchImport(b, false) }

func BenchmarkImportPreview10k(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, preview bool) {
	db, _ := storetest.Open(b)
	deps := servicetest.Deps(b, db)
	deps.Hasher = db.Hasher
	svc, err := service.New(deps)
	if err != nil {
		b.Fatal(err)
	}
	a := storetest.Arrange(b, db)
	ctx := storetest.As(db, a.Owner1)
	const n = 10000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows := importBenchRows(fmt.Sprint(i), n)
		b.StartTimer()
		var res *tenantdesk.ImportResult
		if preview {
			res, err = svc.Imports.Preview(ctx, a.C1.ID, rows)
		} else {
			res, err = svc.Imports.Import(ctx, a.C1.ID, rows)
		}
		if err != nil {
			b.Fatal(err)
		}
		if res.Valid != n {
			b.Fatalf("%d of %d rows valid: %+v", res.Valid, n, res.Rows[0])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
