package port

import "fmt"

// Health is the state of one unit a core runs (a Netherite partition, an
// original-engine control queue), reported as data in Ready.Health when it
// changes; drivers keep the latest report per unit and hand it to whoever
// asks (engine/host's Driver.Health, the facade's Engine.Health).
type Health struct {
	Unit     string // "p03", "control-02"
	State    HealthState
	Reason   string // why, for recovering, restarting and failed
	Restarts int    // restarts from storage in this run
}

// HealthState is a unit's state.
type HealthState uint8

const (
	HealthRecovering HealthState = iota // loading its state from storage
	HealthOK                            // running
	HealthRestarting                    // restarting from storage after an error
	HealthFailed                        // stopped for good (corruption, a fatal error): Reason says why
	HealthStopped                       // stopped on purpose (a graceful stop, a lost lease)
)

var healthNames = [...]string{"recovering", "ok", "restarting", "failed", "stopped"}

func (s HealthState) String() string {
	if int(s) < len(healthNames) {
		return healthNames[s]
	}
	return fmt.Sprintf("health(%d)", uint8(s))
}

func (h Health) String() string {
	switch {
	case h.State == HealthFailed:
		return fmt.Sprintf("%s: failed: %s", h.Unit, h.Reason)
	case h.State == HealthRestarting:
		return fmt.Sprintf("%s: restarting (%d restarts): %s", h.Unit, h.Restarts, h.Reason)
	case h.Restarts > 0:
		return fmt.Sprintf("%s: %s (%d restarts)", h.Unit, h.State, h.Restarts)
	}
	return fmt.Sprintf("%s: %s", h.Unit, h.State)
}
