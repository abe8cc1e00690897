package web

import (
	"bytes"
	"encoding/gob"
	"testing"
)

func encodeValues(t *testing.T, v map[any]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The decoded-session cache hands every request its own copy, and follows
// the stored bytes: a changed session is decoded anew, never served stale.
func TestDecodedSessionsFollowStoredBytes(t *testing.T) {
	var d decodedSessions
	first := encodeValues(t, map[any]any{"uid": int64(7), "_flash": []any{"Saved."}})
	a, err := d.decode("s1", first)
	if err != nil {
		t.Fatal(err)
	}
	a["uid"] = int64(99)
	a["_flash"] = append(a["_flash"].([]any), "Leaked?")
	a["_flash"].([]any)[0] = "Changed"
	b, err := d.decode("s1", first)
	if err != nil {
		t.Fatal(err)
	}
	if b["uid"] != int64(7) || len(b["_flash"].([]any)) != 1 || b["_flash"].([]any)[0] != "Saved." {
		t.Fatalf("a request's changes reached another request: %v", b)
	}

	second := encodeValues(t, map[any]any{"uid": int64(8)})
	c, err := d.decode("s1", second)
	if err != nil {
		t.Fatal(err)
	}
	if c["uid"] != int64(8) || c["_flash"] != nil {
		t.Fatalf("stale values after the session changed: %v", c)
	}
	if _, err := d.decode("s2", []byte("not gob")); err == nil {
		t.Fatal("garbage decoded without an error")
	}
	d.forget("s1")
	if _, ok := d.m["s1"]; ok {
		t.Fatal("forget kept the entry")
	}
}
