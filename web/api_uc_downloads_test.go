package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestUCWelcomeMailListsTheDownloads: the UC welcome email lists the UC
// client's downloads as configured (serve --uc-download-urls), in the
// recipient's language, and no download paragraph when none are.
func TestUCWelcomeMailListsTheDownloads(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(robin))
	winnie := "winnie.pooh@hundredacre.example"
	path := usersPath(app.tenantOf(robin)) + "/" + app.userIDOf(winnie) + "/uc-welcome-email"
	last := func() *tenantdesk.MailMessage {
		t.Helper()
		m, err := app.DB.ListMail(context.Background(), 1)
		if err != nil || len(m) != 1 || m[0].Kind != tenantdesk.MailUCWelcome || m[0].To != winnie {
			t.Fatalf("last email: %v %v", m, err)
		}
		return m[0]
	}

	// None configured: no download paragraph.
	api.post(path, nil).expect(t, http.StatusAccepted)
	if body := last().BodyText; strings.Contains(body, "Download") || strings.Contains(body, "downloads.") {
		t.Fatalf("downloads without any configured:\n%s", body)
	}

	links, err := tenantdesk.ParseDownloadLinks("Windows=https://dl.example.com/uc/setup.exe, https://dl.example.com/uc/get?os=mac&v=2")
	if err != nil {
		t.Fatal(err)
	}
	app.Deps.UCDownloads = links
	api.post(path, nil).expect(t, http.StatusAccepted)
	body := last().BodyText
	for _, want := range []string{"Download the UC client", "Windows: https://dl.example.com/uc/setup.exe\n", "\nhttps://dl.example.com/uc/get?os=mac&v=2\n"} {
		if !strings.Contains(body, want) {
			t.Fatalf("email lacks %q:\n%s", want, body)
		}
	}

	// In the recipient's language.
	app.exec(`UPDATE users SET language = 'de' WHERE email_norm = ?`, winnie)
	api.post(path, nil).expect(t, http.StatusAccepted)
	if body := last().BodyText; !strings.Contains(body, "UC-Client für Computer und Telefon") || !strings.Contains(body, "Windows: https://dl.example.com/uc/setup.exe") {
		t.Fatalf("German email:\n%s", body)
	}
}
