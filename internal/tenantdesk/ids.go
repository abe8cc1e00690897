package tenantdesk

// Public IDs (SPEC §1 "IDs"). Users, devices, API tokens and access requests
// are keyed inside the database by an int64 (for joins), but everything
// outside the database (URLs, form values, API JSON, Location headers, the
// audit log's target_id) carries the public form: a two-letter type prefix
// and the key as 13 lowercase base32 characters (RFC 4648 alphabet,
// big-endian, fixed width), e.g. "usaaaaaaaaaaaap". The store assigns keys
// that are time-ordered and random and never reused (internal/sqlstore
// ids.go), so a public ID names one object forever and reveals no counts.
//
// Each ID has exactly one spelling: the parsers accept only the canonical
// form (right prefix, exactly 13 characters of the alphabet, a positive
// value), so an ID of one type given where another is expected does not
// parse, and callers answer it as an unknown ID (404).

// Prefixes of the public IDs; tenant IDs ("tn") are strings in the
// database already.
const (
	PrefixUser          = "us"
	PrefixDevice        = "dv"
	PrefixAPIToken      = "tk"
	PrefixAccessRequest = "ar" // reserved for access requests (SPEC §4)
)

// PublicIDLen is the length of every public ID: a 2-letter prefix and 13
// base32 characters (65 bits, of which the top one is always 0).
const PublicIDLen = 2 + idChars

const (
	idChars    = 13
	idAlphabet = "abcdefghijklmnopqrstuvwxyz234567"
)

// PublicIDPattern is the regular expression of a public ID with prefix p,
// as the OpenAPI document states it (the first character is a–h: the value
// is a positive int64).
func PublicIDPattern(p string) string { return "^" + p + "[a-h][a-z2-7]{12}$" }

// FormatUserID returns the public ID of the user with key id.
func FormatUserID(id int64) string { return formatID(PrefixUser, id) }

// ParseUserID returns the key of a public user ID, false if s is not one.
func ParseUserID(s string) (int64, bool) { return parseID(PrefixUser, s) }

// FormatDeviceID returns the public ID of the device with key id.
func FormatDeviceID(id int64) string { return formatID(PrefixDevice, id) }

// ParseDeviceID returns the key of a public device ID, false if s is not one.
func ParseDeviceID(s string) (int64, bool) { return parseID(PrefixDevice, s) }

// FormatAPITokenID returns the public ID of the API token with key id.
func FormatAPITokenID(id int64) string { return formatID(PrefixAPIToken, id) }

// ParseAPITokenID returns the key of a public API token ID, false if s is
// not one.
func ParseAPITokenID(s string) (int64, bool) { return parseID(PrefixAPIToken, s) }

// FormatAccessRequestID returns the public ID of the access request with key id.
func FormatAccessRequestID(id int64) string { return formatID(PrefixAccessRequest, id) }

// ParseAccessRequestID returns the key of a public access request ID, false
// if s is not one.
func ParseAccessRequestID(s string) (int64, bool) { return parseID(PrefixAccessRequest, s) }

func formatID(prefix string, id int64) string {
	var b [PublicIDLen]byte
	copy(b[:], prefix)
	v := uint64(id)
	for i := PublicIDLen - 1; i >= len(prefix); i-- {
		b[i] = idAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

func parseID(prefix, s string) (int64, bool) {
	if len(s) != PublicIDLen || s[:len(prefix)] != prefix {
		return 0, false
	}
	var v uint64
	for i := len(prefix); i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= 'a' && c <= 'z':
			d = c - 'a'
		case c >= '2' && c <= '7':
			d = c - '2' + 26
		default:
			return 0, false
		}
		// 13 characters hold 65 bits: a first character beyond 'h' sets
		// bit 63 or overflows, which no key has.
		if i == len(prefix) && d >= 8 {
			return 0, false
		}
		v = v<<5 | uint64(d)
	}
	if v == 0 {
		return 0, false
	}
	return int64(v), true
}
