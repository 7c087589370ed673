package scenarios

// SQLSuite is the suite the sql engine runs: all of it.
func SQLSuite() []Scenario { return Suite() }
