package harness

// Default is the registry the CLI uses. The engines register here once
// they exist (engine/netherite and engine/original on the sim driver and
// engine/host); today it is empty, so commands that run experiments say
// so instead of producing results.
var Default = NewRegistry()
