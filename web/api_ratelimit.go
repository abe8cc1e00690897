package web

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"golang.org/x/time/rate"
)

// API rate limiting (SPEC §6 --api-rate): a token bucket per client IP,
// checked before the token (so guessing tokens is limited too), and one per
// token. Over the limit the answer is 429 rate_limited with Retry-After.

// DefaultAPIRate and DefaultAPIBurst are serve's defaults: 20 requests per
// second with bursts of 40 per token and per IP.
const (
	DefaultAPIRate = 20
	apiIdleLimiter = 10 * time.Minute
)

// rateLimiter keeps one token bucket per key.
type rateLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweepAt time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newRateLimiter returns nil (no limit) when perSecond is 0 or less. A
// burst below 1 becomes twice the rate (at least 1).
func newRateLimiter(perSecond float64, burst int, now func() time.Time) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = int(math.Max(1, math.Ceil(2*perSecond)))
	}
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket, or returns how long to wait.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.After(l.sweepAt) {
		// Forget idle buckets (a full bucket is what a new one would be).
		for k, b := range l.buckets {
			if now.Sub(b.seen) > apiIdleLimiter {
				delete(l.buckets, k)
			}
		}
		l.sweepAt = now.Add(time.Minute)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func rateLimited(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &tenantdesk.Error{Code: tenantdesk.ETHROTTLED, RetryAfterSeconds: secs,
		Message: "Too many requests: slow down and retry after " + strconv.Itoa(secs) + " s (see Retry-After)."}
}

// apiLimitIP limits requests per client IP.
func (s *Server) apiLimitIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.api.ipLimiter != nil {
			if ok, wait := s.api.ipLimiter.allow(c.RealIP()); !ok {
				return rateLimited(wait)
			}
		}
		return next(c)
	}
}

// apiLimitToken limits requests per token.
func (s *Server) apiLimitToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t := apiToken(c); t != nil && s.api.tokenLimiter != nil {
			if ok, wait := s.api.tokenLimiter.allow(strconv.FormatInt(t.ID, 10)); !ok {
				return rateLimited(wait)
			}
		}
		return next(c)
	}
}
