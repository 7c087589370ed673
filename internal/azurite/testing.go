package azurite

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// InCI reports whether the CI environment variable is set to something other
// than "", "0" or "false".
func InCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "0" && v != "false"
}

// Start starts an Azurite server for the test, stops it on cleanup and
// returns its connection string. When Azurite is not installed it skips the
// test, or fails it under CI.
func Start(t testing.TB) string {
	t.Helper()
	s, err := StartServer(context.Background(), Options{})
	if errors.Is(err, ErrNotInstalled) {
		if InCI() {
			t.Fatalf("%v; CI must install it (make node_modules)", err)
		}
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("start Azurite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop Azurite: %v", err)
		}
	})
	return s.ConnString()
}
