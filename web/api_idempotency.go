package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Idempotency-Key on POST: the first request with a key runs and its
// response (status, Content-Type, Location, body) is stored for 24 hours
// per token; the same key with the same method, path and body replays that
// response without running anything again; with another body it is 422
// idempotency_key_reused.
//
// The key is reserved in the database BEFORE the handler runs and the
// response stored after it, so two requests with one key can never both
// take effect: a concurrent or crashed first request leaves the key
// reserved and the second gets 409 idempotency_key_in_use. (Storing the
// response in the very transaction of the effect would need every service
// to know about keys; the reservation gives the same guarantee.) A request
// that ends in a server error releases its key: nothing took effect.

const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
	maxIdempotencyKeyLen = 255
)

// replayHeaders are the response headers stored and replayed.
var replayHeaders = []string{echo.HeaderContentType, echo.HeaderLocation}

func (s *Server) apiIdempotency(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		key := r.Header.Get(headerIdempotencyKey)
		t := apiToken(c)
		if r.Method != http.MethodPost || key == "" || t == nil || s.svc.Idempotency == nil {
			return next(c)
		}
		if !validIdempotencyKey(key) {
			return apiFieldError(headerIdempotencyKey, "Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID.")
		}
		body, err := readAPIBody(c)
		if err != nil {
			return err
		}
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
		h.Write(body)
		ctx := r.Context()
		stored, err := s.svc.Idempotency.ReserveIdempotencyKey(ctx, t.ID, key, h.Sum(nil))
		if err != nil {
			return err
		}
		if stored != nil {
			for k, v := range stored.Header {
				c.Response().Header().Set(k, v)
			}
			c.Response().Header().Set(headerReplayed, "true")
			c.Response().WriteHeader(stored.Status)
			_, err := c.Response().Write(stored.Body)
			return err
		}
		rec := &recordingWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		bg := context.WithoutCancel(ctx)
		s.runReleasingOnPanic(c, rec, t.ID, key, next)
		c.Response().Writer = rec.ResponseWriter
		status := c.Response().Status
		if status >= 500 || !c.Response().Committed {
			if err := s.svc.Idempotency.ReleaseIdempotencyKey(bg, t.ID, key); err != nil {
				s.log.Error("api: release idempotency key", "error", err.Error())
			}
			return nil
		}
		res := &tenantdesk.IdempotentResponse{Status: status, Header: map[string]string{}, Body: rec.body.Bytes()}
		for _, k := range replayHeaders {
			if v := c.Response().Header().Get(k); v != "" {
				res.Header[k] = v
			}
		}
		if err := s.svc.Idempotency.CompleteIdempotencyKey(bg, t.ID, key, res); err != nil {
			// The effect happened; the key stays reserved, so a retry gets
			// 409 rather than a second effect.
			s.log.Error("api: store idempotent response", "error", err.Error())
		}
		return nil
	}
}

// runReleasingOnPanic runs the handler with the key reserved. A handler
// error is written now, into the recorder, so it is stored too. A panic
// releases the key (nothing is known to have taken effect, as for a 500)
// and panics on, so that recoverPanics still answers 500: otherwise the key
// would stay reserved and every retry get 409 for 24 hours.
func (s *Server) runReleasingOnPanic(c echo.Context, rec *recordingWriter, tokenID int64, key string, next echo.HandlerFunc) {
	defer func() {
		if r := recover(); r != nil {
			c.Response().Writer = rec.ResponseWriter
			if err := s.svc.Idempotency.ReleaseIdempotencyKey(context.WithoutCancel(c.Request().Context()), tokenID, key); err != nil {
				s.log.Error("api: release idempotency key", "error", err.Error())
			}
			panic(r)
		}
	}()
	if err := next(c); err != nil {
		c.Error(err)
	}
}

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// recordingWriter passes a response through and keeps a copy of its body.
type recordingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
