package scenarios

import nethsys "github.com/dflab/dflab/systems/netherite"

// Netherite is the Netherite engine's simulator deployment, as the suite's
// tests name it.
type Netherite = nethsys.Sim
