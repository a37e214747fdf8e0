package monitor

import (
	"context"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
	"github.com/shelfwatch/shelfwatch/internal/store"
)

// maxGroup caps the checks one group commit records.
const maxGroup = 128

// groupLinger is how long a writer waits for more checks to join a group.
// Taking only what was ready made groups of under two checks at 2,000
// checks/s; a millisecond makes them a dozen and the record of a 304 check
// a fifth cheaper, for a millisecond more latency.
const groupLinger = time.Millisecond

// pgWriters is how many group-commit writers run on PostgreSQL.
const pgWriters = 2

// pendingCheck is a finished check waiting for its record.
type pendingCheck struct {
	p           store.Product
	r           store.CheckResult
	began       time.Time
	conf        float64
	afterCommit bool // set by r.InTx: enqueue the confirm job after the commit
}

// Checked describes a recorded check, for Options.OnChecked.
type Checked struct {
	ProductID int64
	URL       string
	Outcome   string
	Changed   bool // a history row was written
	Held      bool
	Events    int
	Began     time.Time // the fetch started (after the domain's slot)
}

// recorder is the pipeline's writer: check goroutines hand it finished
// checks and go on fetching, and it records whatever has gathered in one
// transaction (store.RecordChecks) — a group commit. SQLite has one writer
// connection, and a commit per check cost more than the check's own
// statements. Nothing is lost that was not lost before: a check's lease is
// released by its record, in the same transaction, so a crash before the
// commit leaves the lease to expire and the check is done again.
type recorder struct {
	m    *Monitor
	ctx  context.Context
	in   chan *pendingCheck
	done chan struct{}
	busy *sync.WaitGroup // Done for each check handed in, once recorded
}

func (m *Monitor) newRecorder(ctx context.Context, busy *sync.WaitGroup) *recorder {
	rec := &recorder{m: m, ctx: ctx, in: make(chan *pendingCheck, maxGroup), done: make(chan struct{}), busy: busy}
	// SQLite has one writer connection: one writer. PostgreSQL commits
	// transactions side by side, and one writer waiting a round trip per
	// statement can fall behind; two writers lock their products and
	// domains in the same order (RecordChecks), so they cannot deadlock,
	// and leave the pool's other connections to claims.
	writers := 1
	if m.o.Store.DB().Engine == db.Postgres {
		writers = pgWriters
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Go(rec.run)
	}
	go func() {
		wg.Wait()
		close(rec.done)
	}()
	return rec
}

func (rec *recorder) add(pc *pendingCheck) { rec.in <- pc }

// close waits until every check handed in is recorded.
func (rec *recorder) close() {
	close(rec.in)
	<-rec.done
}

func (rec *recorder) run() {
	group := make([]*pendingCheck, 0, maxGroup)
	linger := time.NewTimer(0)
	<-linger.C
	for pc := range rec.in {
		group = append(group[:0], pc)
		// Take what else comes within groupLinger: a commit and the
		// domains' health cost the same for one check as for thirty.
		linger.Reset(groupLinger)
	gather:
		for len(group) < maxGroup {
			select {
			case pc, ok := <-rec.in:
				if !ok {
					break gather
				}
				group = append(group, pc)
			case <-linger.C:
				break gather
			}
		}
		if !linger.Stop() {
			select {
			case <-linger.C:
			default:
			}
		}
		rec.record(group)
	}
}

// record commits a group; if the group fails as a whole, each check is
// recorded on its own so one bad check costs only its own record.
func (rec *recorder) record(group []*pendingCheck) {
	m := rec.m
	rs := make([]store.CheckResult, len(group))
	for i, pc := range group {
		rs[i] = pc.r
	}
	outs, err := m.o.Store.RecordChecks(rec.ctx, rs)
	if err != nil && len(group) > 1 {
		for _, pc := range group {
			pc.afterCommit = false
			out, err := m.o.Store.RecordCheck(rec.ctx, pc.r)
			rec.finish(pc, out, err)
		}
		return
	}
	for i, pc := range group {
		var out *store.CheckOutcome
		if err == nil {
			out = outs[i]
		}
		rec.finish(pc, out, err)
	}
}

func (rec *recorder) finish(pc *pendingCheck, out *store.CheckOutcome, err error) {
	defer rec.busy.Done()
	if err := rec.m.recorded(rec.ctx, pc, out, err); err != nil {
		rec.m.o.Logger.Warn("monitor: check", "product", pc.p.ID, "url", pc.p.URL, "err", err)
	}
}
