package scenarios

// SQLSuite is the suite the sql engine runs: all of it, and the parity
// table's refusals of purges and waits.
func SQLSuite() []Scenario { return append(Suite(), PurgeAndWaitRefusals()) }
