package fetch

import (
	"context"
	"errors"
	"net"
)

// classify turns an error into the Result's outcome.
func classify(res *Result, err error) *Result {
	res.Err = err
	var rr *robotsRedirectError
	var ne net.Error
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		res.Outcome = OutcomeSSRF
	case errors.As(err, &rr):
		res.Outcome, res.RobotsVerdict = OutcomeDisallowed, rr.verdict
	case errors.Is(err, errRedirect), errors.Is(err, errInvalidURL):
		res.Outcome = OutcomeRedirects
	case errors.Is(err, errTooLarge):
		res.Outcome = OutcomeTooLarge
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		res.Outcome = OutcomeTimeout
	default:
		res.Outcome = OutcomeNetwork
	}
	return res
}
