package azurite

import (
	"context"
	"errors"
	"sync"
	"testing"
)

var shared struct {
	mu  sync.Mutex
	s   *Server
	err error
}

// Shared returns the connection string of one server shared by all the
// tests of a test binary, starting it on first use. Like Start it skips
// (or, under CI, fails) the test when Azurite is not installed. The test
// binary's TestMain must call StopShared after m.Run.
func Shared(t testing.TB) string {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil && shared.err == nil {
		shared.s, shared.err = StartServer(context.Background(), Options{})
	}
	if errors.Is(shared.err, ErrNotInstalled) {
		if InCI() {
			t.Fatalf("%v; CI must install it (make node_modules)", shared.err)
		}
		t.Skipf("skipping: %v", shared.err)
	}
	if shared.err != nil {
		t.Fatalf("start Azurite: %v", shared.err)
	}
	return shared.s.ConnString()
}

// StopShared stops the shared server, if one was started.
func StopShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil {
		return nil
	}
	err := shared.s.Stop()
	shared.s = nil
	return err
}
