package netherite

import (
	"fmt"
	"hash/crc32"

	"github.com/dflab/dflab/engine/port"
)

// The partition's state records how far it consumed its input stream
// (InputPos) and a CRC-32 of the last record it consumed (InputCheck). The
// first read of each life starts one record early and checks that record:
// a stream that lost acknowledged records it consumed (cut, replaced, or
// shorter than the state says) is refused instead of being read on from a
// position that no longer means what the state thinks, where new records
// would be skipped as consumed.

func recordCheck(rec []byte) uint32 { return crc32.ChecksumIEEE(rec) }

// verifyInput checks the first read of a life (from InputPos-1) and
// returns the records from InputPos on; false: the partition failed.
func (x *Partition) verifyInput(recs port.Records) (port.Records, bool) {
	r := &x.in
	r.verify = false
	want := x.st.InputCheck
	stream := fmt.Sprintf("input stream partition %d", x.p)
	switch {
	case recs.End < r.pos:
		x.fail("%v", port.Corrupt(stream, recs.End, fmt.Sprintf("%d records at least: the partition's state "+
			"(checkpoint and log) has consumed them; acknowledged records are missing", r.pos)))
		return recs, false
	case len(recs.Records) == 0 || recs.First != r.pos-1:
		x.fail("%v", port.Corrupt(stream, r.pos-1, fmt.Sprintf("the record consumed last (the read from %d returned none)", r.pos-1)))
		return recs, false
	case recordCheck(recs.Records[0]) != want:
		x.fail("%v", port.Corrupt(stream, r.pos-1, fmt.Sprintf("the record consumed last, CRC-32 %08x; found one with %08x: "+
			"acknowledged records were lost or replaced", want, recordCheck(recs.Records[0]))))
		return recs, false
	}
	recs.First, recs.Records = r.pos, recs.Records[1:]
	return recs, true
}
