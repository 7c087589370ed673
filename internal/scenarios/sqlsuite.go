package scenarios

// SQLSuite is the suite without the scenarios that need entities (Entities,
// Bank), which the sql engine does not support yet.
func SQLSuite() []Scenario {
	var out []Scenario
	for _, sc := range Suite() {
		if sc.Name != "Entities" && sc.Name != "Bank" {
			out = append(out, sc)
		}
	}
	return out
}
