// Package postgres starts throw-away PostgreSQL clusters for tests: initdb
// in a temporary directory (as the postgres user when the test runs as
// root: initdb refuses root; initdb runs once per machine and version,
// later clusters copy its template; both in /dev/shm when it is
// writable), the server listening on a Unix socket in that
// directory and on 127.0.0.1 at a free port, fsync off, stopped by its PID.
// Start skips a test (or fails it under CI) when PostgreSQL is not
// installed; `make deps` installs it with apt-get.
package postgres
