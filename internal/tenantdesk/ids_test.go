package tenantdesk

import (
	"math"
	"regexp"
	"testing"
)

func TestPublicIDRoundTrip(t *testing.T) {
	codecs := []struct {
		prefix string
		format func(int64) string
		parse  func(string) (int64, bool)
	}{
		{PrefixUser, FormatUserID, ParseUserID},
		{PrefixDevice, FormatDeviceID, ParseDeviceID},
		{PrefixAPIToken, FormatAPITokenID, ParseAPITokenID},
		{PrefixAccessRequest, FormatAccessRequestID, ParseAccessRequestID},
	}
	for _, c := range codecs {
		pattern := regexp.MustCompile(PublicIDPattern(c.prefix))
		for _, id := range []int64{1, 15, 31, 32, 1 << 40, 1<<62 - 1, 1 << 62, math.MaxInt64} {
			s := c.format(id)
			if len(s) != PublicIDLen || !pattern.MatchString(s) {
				t.Errorf("%s(%d) = %q: not %d characters of %s", c.prefix, id, s, PublicIDLen, pattern)
			}
			if got, ok := c.parse(s); !ok || got != id {
				t.Errorf("parse(%q) = %d, %v; want %d", s, got, ok, id)
			}
		}
	}
	if got := FormatUserID(15); got != "usaaaaaaaaaaaap" {
		t.Errorf("FormatUserID(15) = %q", got)
	}
	if a, b := FormatUserID(1<<41), FormatUserID(1<<41+1); a >= b {
		t.Errorf("IDs do not sort like their keys: %q >= %q", a, b)
	}
}

func TestPublicIDRejectsNonCanonical(t *testing.T) {
	good := FormatUserID(123456789)
	for _, s := range []string{
		"",
		"us",
		"15",
		"123456789",
		FormatDeviceID(123456789), // another type's ID
		FormatAPITokenID(123456789),
		"US" + good[2:],        // upper-case prefix
		"usAAAAAAAAAAAAP",      // upper-case body
		good[:PublicIDLen-1],   // too short
		good + "a",             // too long
		" " + good,             // leading junk
		good + "\n",            // trailing junk
		"x" + good[1:],         // other prefix
		"usaaaaaaaaaaaa1",      // not in the alphabet (0, 1, 8, 9)
		"usaaaaaaaaaaaa8",      // not in the alphabet
		"usaaaaaaaaaaaaa",      // zero is no key
		"usiaaaaaaaaaaaa",      // bit 63 set: negative
		"us7777777777777",      // overflow
		"usaaaaaaaaaaa-p",      // punctuation
		"usaaaaaaaaaaaa\u00e9", // non-ASCII
	} {
		if id, ok := ParseUserID(s); ok {
			t.Errorf("ParseUserID(%q) = %d, true; want false", s, id)
		}
	}
	if _, ok := ParseDeviceID(good); ok {
		t.Errorf("ParseDeviceID accepted the user ID %q", good)
	}
}
