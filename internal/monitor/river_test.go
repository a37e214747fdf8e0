package monitor

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

type jobWrap struct{ Job river.Job[ConfirmArgs] }

// riverJob builds the job River would hand the confirm worker.
func riverJob(productID int64) *jobWrap {
	return &jobWrap{Job: river.Job[ConfirmArgs]{JobRow: &rivertype.JobRow{ID: 1}, Args: ConfirmArgs{ProductID: productID}}}
}
