package plot

import "time"

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
