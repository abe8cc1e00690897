package web

import (
	"sync"
	"time"
)

var locations sync.Map // IANA name -> *time.Location

// loadLocation returns the named zone, cached; UTC for "" or an unknown name.
func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, l)
	return l
}
