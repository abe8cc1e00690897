package tenantdesk

import (
	"fmt"
	"net/url"
	"strings"
)

// DownloadLink is one download of the UC client, listed in the UC welcome
// email (serve --uc-download-urls).
type DownloadLink struct {
	Label string // e.g. "Windows"; "" when the configuration gave none
	URL   string // absolute http(s) URL
}

// DemoUCDownloadURLs are the UC client downloads of demo mode when none are
// configured: placeholders under a reserved domain, never a real site.
const DemoUCDownloadURLs = "Windows=https://downloads.uc.example/windows," +
	"macOS=https://downloads.uc.example/macos," +
	"iPhone and iPad=https://downloads.uc.example/ios," +
	"Android=https://downloads.uc.example/android"

// ParseDownloadLinks reads a comma-separated list of downloads, each an
// absolute http(s) URL or "Label=URL" (a label is text before the first "="
// that holds no "://", so URLs with "=" in their query need no label).
// Empty entries are skipped; "" gives none.
func ParseDownloadLinks(s string) ([]DownloadLink, error) {
	var out []DownloadLink
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var l DownloadLink
		if label, rest, ok := strings.Cut(part, "="); ok && !strings.Contains(label, "://") {
			l.Label, l.URL = strings.TrimSpace(label), strings.TrimSpace(rest)
		} else {
			l.URL = part
		}
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("download %q: want an absolute http(s) URL, optionally as Label=URL", part)
		}
		out = append(out, l)
	}
	return out, nil
}
