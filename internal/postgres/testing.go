package postgres

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
)

// InCI reports whether the CI environment variable is set to something other
// than "", "0" or "false".
func InCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "0" && v != "false"
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrNotInstalled) {
		if InCI() {
			t.Fatalf("%v; CI must install it (make deps)", err)
		}
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
}

// Start starts a cluster for the test, stops it on cleanup and returns it.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(context.Background())
	skipOrFail(t, err)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return s
}

var shared struct {
	mu  sync.Mutex
	s   *Server
	err error
}

// Shared returns one cluster shared by the tests of a test binary, started
// on first use; TestMain must call StopShared after m.Run.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil && shared.err == nil {
		shared.s, shared.err = StartServer(context.Background())
	}
	skipOrFail(t, shared.err)
	return shared.s
}

// StopShared stops the shared cluster, if one was started.
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
