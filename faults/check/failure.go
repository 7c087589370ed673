package check

// maxListed bounds the items a failure lists.
const maxListed = 20

// Failure is a checker's verdict on a run: which checker failed and a
// readable account. The harness adds the repro command
// (`dflab repro --seed N --plan FILE`).
type Failure struct {
	Checker string // e.g. "acknowledged-survives", "persist-before-send", "replay-equivalence"
	Detail  string
}

func (f *Failure) Error() string { return f.Checker + ": " + f.Detail }
